// Typed IPC: every call goes through `call`, which names the domain plugin and the command and
// turns a failure into an IpcError {code, message, details} (the message is already in the UI
// language). Domain wrappers live next to this file, one per domain.
import { invoke, Channel } from '@tauri-apps/api/core'
import type { ErrorPayload } from '../bindings/ErrorPayload'
import type { ProgressReport } from '../bindings/ProgressReport'

export class IpcError extends Error {
  code: string
  details?: unknown
  constructor(p: ErrorPayload) {
    super(p.message)
    this.code = p.code
    this.details = p.details
  }
}

function isPayload(e: unknown): e is ErrorPayload {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e
}

export async function call<T>(domain: string, command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(`plugin:${domain}|${command}`, args)
  } catch (e) {
    if (isPayload(e)) throw new IpcError(e)
    throw new IpcError({ code: 'internal', message: String(e) })
  }
}

export function progressChannel(onReport: (p: ProgressReport) => void): Channel<ProgressReport> {
  const ch = new Channel<ProgressReport>()
  ch.onmessage = onReport
  return ch
}

export type FieldErrors = Record<string, string>
