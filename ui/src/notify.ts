// The one way the UI shows a failure: the message the core gave (an IpcError's message is already
// in the UI's language), a plain Error's or a string as it is, and a general "did not work" from
// the locale files when there is nothing to say. Successes, warnings and questions stay with
// Element Plus at their call sites.
import { ElMessage } from 'element-plus'
import { i18n } from './i18n'

export interface NotifyOptions {
  /** Milliseconds the message stays up, with a close button. Default: Element Plus's 3 s, no button. */
  duration?: number
}
/** For a message worth reading (the core explains why it refused a write, a file it could not read). */
export const LONG: NotifyOptions = { duration: 8000 }

/** The text an error shows: its message (IpcError, Error, an {code, message} payload), a string as
 * it is, else the locale's fallback. */
export function errorText(e: unknown): string {
  let text: unknown = e
  if (typeof e === 'object' && e !== null && 'message' in e) text = (e as { message: unknown }).message
  if (typeof text === 'string' && text.trim()) return text
  return i18n.global.t('common.failed')
}

/** Shows `e` as an error message (see `errorText`). */
export function notifyError(e: unknown, opts: NotifyOptions = {}): void {
  const message = errorText(e)
  if (opts.duration === undefined) ElMessage.error(message)
  else ElMessage.error({ message, duration: opts.duration, showClose: true })
}
