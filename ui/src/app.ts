// App-wide state: the status the start screen needs, the language, and the error that stopped the
// database from opening (shown instead of the shell).
import { reactive } from 'vue'
import type { AppStatus } from './bindings/AppStatus'
import type { Lang } from './bindings/Lang'
import { IpcError } from './ipc'
import * as system from './ipc/system'
import { setLocale } from './i18n'
import { followCoreDay } from './views/notice/publicity'

export const app = reactive({
  status: null as AppStatus | null,
  error: null as IpcError | null,
  loading: true,
  /** Counts shown next to navigation items (reminders due). */
  badges: {} as Record<string, number>,
})

/** The number of certification reminders due (shown at start, next to 认定与奖励). */
export async function refreshBadge() {
  try {
    const { reminders } = await import('./ipc/cert')
    app.badges.cert = (await reminders()).length
  } catch {
    /* not essential */
  }
}

export async function loadStatus() {
  app.loading = true
  app.error = null
  try {
    const s = await system.status()
    app.status = s
    followCoreDay(s.today)
    setLocale(s.lang)
    if (!s.first_run) refreshBadge()
  } catch (e) {
    app.error = e instanceof IpcError ? e : new IpcError({ code: 'internal', message: String(e) })
  } finally {
    app.loading = false
  }
}

export async function switchLang(l: Lang) {
  setLocale(l)
  if (app.status) app.status.lang = l
  await system.setLang(l)
}
