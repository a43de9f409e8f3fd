// The certification kinds as the core lists them (cert-kinds.json, editable per office), loaded
// once and shared: their names in Chinese and English are the only labels the UI shows for a kind.
import { readonly, ref } from 'vue'
import type { CertKind } from './bindings/CertKind'
import * as cert from './ipc/cert'
import { i18n } from './i18n'

const kinds = ref<CertKind[]>([])
/** The kinds loaded so far (empty until the first load). */
export const certKinds = readonly(kinds)
let loading: Promise<CertKind[]> | null = null

/** Loads the kinds from the core once (again with `fresh`, e.g. after a restore). A failed load
 * rejects and is tried again on the next call. */
export function loadCertKinds(fresh = false): Promise<CertKind[]> {
  if (!loading || fresh) {
    const p: Promise<CertKind[]> = cert.kinds().then((ks) => {
      const list = Array.isArray(ks) ? ks : []
      // A later (fresh) load that was asked for meanwhile has the last word.
      if (loading === p) kinds.value = list
      return list
    })
    loading = p
    p.catch(() => {
      if (loading === p) loading = null
    })
  }
  return loading
}

/** A kind's name in the UI's language; its code until the kinds are loaded or when it is unknown. */
export function certKindLabel(code: string): string {
  const k = kinds.value.find((x) => x.code === code)
  if (!k) return code
  return i18n.global.locale.value === 'en' ? k.name_en : k.name_zh
}

/** For a component: the kinds (loading them if not yet) and their labels. A failed load is not
 * shown here: labels stay codes and the next component to ask tries again. */
export function useCertKinds() {
  loadCertKinds().catch(() => {})
  return { certKinds, kindLabel: certKindLabel }
}
