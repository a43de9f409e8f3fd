// 数据导入's state and its calls to the core, shared by the wizard's steps (ImportView provides it,
// each step injects it): the chosen file's token, the choices sent with every read, the report's
// head and the page of rows shown, the history. The fix in place (useImportFix) and the commit
// with its undo (useImportCommit) work on the same state. The report stays in Rust; the preview
// pages through its rows. Free of components, so it can be driven on its own.
import { computed, inject, reactive, ref, type InjectionKey } from 'vue'
import { ElMessage } from 'element-plus'
import * as api from '../../ipc/import'
import type { ReportHead, RowFilter } from '../../ipc/import'
import type { RowReport } from '../../bindings/RowReport'
import type { KindInfo } from '../../bindings/KindInfo'
import type { Kind } from '../../bindings/Kind'
import type { BatchInfo } from '../../bindings/BatchInfo'
import type { ImportOptions } from '../../bindings/ImportOptions'
import type { CellEdit } from '../../bindings/CellEdit'
import type { ProgressReport } from '../../bindings/ProgressReport'
import { IpcError } from '../../ipc'
import { i18n } from '../../i18n'
import { notifyError, LONG } from '../../notify'
import { useImportFix } from './useImportFix'
import { useImportCommit } from './useImportCommit'

export const PAGE = 50
/** The user's choices, sent with every read (nulls: what Rust detects). */
export type Choices = { kind: Kind | null; sheet: string | null; header_row: number | null; park: string; columns: Record<number, string | null>; edits: CellEdit[]; auto_columns: boolean }
const noChoices = (): Choices => ({ kind: null, sheet: null, header_row: null, park: '', columns: {}, edits: [], auto_columns: false })

/** The file, its reads and the history: what the fix and the commit build on. */
function useImportRead() {
  const { t } = i18n.global
  const en = computed(() => i18n.global.locale.value === 'en')

  const step = ref(0)
  const token = ref<string | null>(null)
  const fileName = ref('')
  const head = ref<ReportHead | null>(null)
  const kinds = ref<KindInfo[]>([])
  const busy = ref<'' | 'analyze' | 'commit'>('')
  const progress = ref<ProgressReport | null>(null)
  const opts = reactive<Choices>(noChoices())
  const filter = ref<RowFilter>('all')
  const page = ref(1)
  const rows = ref<RowReport[]>([])
  const rowTotal = ref(0)
  const result = ref<ReportHead | null>(null)
  // The result page's 撤销本次导入: once undone, the page says so and the button is gone.
  const undone = ref(false)
  const history = ref<BatchInfo[]>([])

  const kindInfo = computed(() => kinds.value.find((k) => k.kind === (head.value?.kind ?? opts.kind)))
  // A field's and a kind's name in the UI's language (Rust gives both).
  function fieldLabel(name: string | null | undefined) {
    if (!name) return t('import.ignore')
    const f = kindInfo.value?.fields.find((x) => x.name === name)
    return f ? (en.value ? f.label_en : f.label_zh) : name
  }
  function kindLabel(k: KindInfo | undefined, code: string) {
    return k ? (en.value ? k.label_en : k.label_zh) : code
  }

  function options(): ImportOptions {
    const cols = Object.entries(opts.columns).map(([index, field]) => ({ index: Number(index), field }))
    return {
      kind: opts.kind ?? undefined,
      sheet: opts.sheet ?? undefined,
      header_row: opts.header_row ?? undefined,
      park: opts.park.trim() || undefined,
      columns: cols.length ? cols : undefined,
      edits: opts.edits,
      auto_columns: opts.auto_columns || undefined,
    }
  }

  async function choose() {
    try {
      const c = await api.chooseFile()
      if (!c) return
      closeSession()
      token.value = c.token
      fileName.value = c.file_name
      Object.assign(opts, noChoices())
      result.value = null
      undone.value = false
      filter.value = 'all'
      if (await analyze('all')) step.value = 1
    } catch (e) {
      notifyError(e, LONG)
    }
  }

  // The header row Rust found (the label keeps saying it after the user picks another row).
  const detectedHeader = ref<number | null>(null)
  // Read the file again with the current choices. `adopt`: take what Rust detected as the new
  // choices ('all' for a new file; 'table' for another sheet: its kind and header row). True when
  // the file was read: a failed or cancelled read keeps the wizard where it is, so it never moves
  // on with the previous read's columns or counts.
  async function analyze(adopt: '' | 'all' | 'table' = ''): Promise<boolean> {
    if (!token.value || busy.value) return false
    busy.value = 'analyze'
    progress.value = null
    try {
      const h = await api.analyze(token.value, options(), (p) => (progress.value = p))
      head.value = h
      if (adopt) {
        detectedHeader.value = h.header_row
        opts.kind = h.kind
        opts.sheet = h.sheet
        opts.header_row = h.header_row
        if (adopt === 'all') opts.park = h.park ?? ''
      }
      page.value = 1
      await loadRows()
      void countWarnings(h)
      return true
    } catch (e) {
      if (e instanceof IpcError && e.code === 'cancelled') ElMessage.info(t('import.readCancelled'))
      else notifyError(e, LONG)
      return false
    } finally {
      busy.value = ''
    }
  }
  async function next(to: number) {
    if (await analyze()) step.value = to
  }

  // Accepted rows with something to check (a rent row's typed subsidy year that the ledger's months
  // contradict): counted over the whole report, not only the page shown.
  const warningRows = ref(0)
  let warningCount = 0
  async function countWarnings(h: ReportHead) {
    const mine = ++warningCount
    if (typeof h.warning_count === 'number') return (warningRows.value = h.warning_count)
    warningRows.value = 0
    // Only rent rows carry warnings; a park's rent file is a few hundred rows.
    if (h.kind !== 'rent_applications' || !token.value || !h.summary.accepted) return
    let n = 0
    let offset = 0
    try {
      for (let i = 0; i < 50; i++) {
        const p = await api.rows(token.value, offset, 1000, 'accepted')
        n += p.rows.filter((r) => r.warnings?.length).length
        offset += p.rows.length
        if (!p.rows.length || offset >= p.total) break
      }
    } catch {
      return
    }
    if (mine === warningCount) warningRows.value = n
  }

  async function loadRows() {
    if (!token.value) return
    const r = await api.rows(token.value, (page.value - 1) * PAGE, PAGE, filter.value)
    rows.value = r.rows
    rowTotal.value = r.total
  }

  function setColumn(index: number, field: string | null) {
    opts.columns[index] = field
  }
  // Columns mapped as at this park's last import (offered, marked): set aside on request.
  const rememberedColumns = computed(() => (head.value?.columns ?? []).filter((c) => c.remembered))
  async function useAutoColumns() {
    opts.auto_columns = true
    opts.columns = {}
    await analyze()
  }
  // A different sheet has its own kind, header row and columns: forget the previous sheet's choices
  // (and the fixes, whose row numbers were that sheet's) and let Rust detect them again.
  async function changeSheet() {
    opts.kind = null
    opts.header_row = null
    opts.columns = {}
    opts.edits = []
    await analyze('table')
  }
  // Another kind has other fields: column choices and fixes made for the previous one no longer apply.
  function changeKind() {
    opts.columns = {}
    opts.edits = []
  }

  async function loadHistory() {
    try {
      history.value = await api.batches()
    } catch {
      /* shown elsewhere */
    }
  }

  // The chosen file's session in Rust (its report) is dropped when the wizard starts again,
  // another file is chosen or the page is left.
  function closeSession() {
    if (token.value) api.close(token.value).catch(() => {})
  }
  function reset() {
    closeSession()
    step.value = 0
    token.value = null
    head.value = null
    result.value = null
    undone.value = false
    filter.value = 'all'
  }
  /** What the page needs before the first step: the kinds of table and the import history. */
  async function init() {
    try {
      kinds.value = await api.kinds()
    } catch (e) {
      notifyError(e, LONG)
    }
    loadHistory()
  }

  return {
    en, step, token, fileName, head, kinds, busy, progress, opts, filter, page, rows, rowTotal, result, undone, history, detectedHeader, warningRows,
    kindInfo, fieldLabel, kindLabel, rememberedColumns, options,
    init, choose, analyze, next, loadRows, setColumn, useAutoColumns, changeSheet, changeKind, loadHistory, closeSession, reset,
  }
}
export type ImportRead = ReturnType<typeof useImportRead>

/** The whole import session: the file and its reads, the fix in place, the commit and its undo. */
export function useImportSession() {
  const read = useImportRead()
  return { ...read, ...useImportFix(read), ...useImportCommit(read) }
}

export type ImportSession = ReturnType<typeof useImportSession>
export const SESSION: InjectionKey<ImportSession> = Symbol('import session')
/** The session ImportView provides, for its steps. */
export function useSession(): ImportSession {
  const s = inject(SESSION)
  if (!s) throw new Error('useSession outside ImportView')
  return s
}
