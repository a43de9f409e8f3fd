import { call, progressChannel } from '.'
import type { ImportOptions } from '../bindings/ImportOptions'
import type { BatchInfo } from '../bindings/BatchInfo'
import type { BatchItem } from '../bindings/BatchItem'
import type { UndoReport } from '../bindings/UndoReport'
import type { KindInfo } from '../bindings/KindInfo'
import type { ProgressReport } from '../bindings/ProgressReport'
import type { FileChoice } from '../bindings/FileChoice'
import type { ReportHead } from '../bindings/ReportHead'
import type { RowFilter } from '../bindings/RowFilter'
import type { RowPage } from '../bindings/RowPage'

const D = 'import'

/** The report without its rows (`rows` is empty: they are paged with `rows`), with its counts. */
export type { ReportHead, RowFilter }

export const kinds = () => call<KindInfo[]>(D, 'kinds')
/** Opens the file dialog (in Rust); null when the user cancelled. */
export const chooseFile = () => call<FileChoice | null>(D, 'choose_file')
export const analyze = (token: string, options: ImportOptions, onProgress: (p: ProgressReport) => void) =>
  call<ReportHead>(D, 'analyze', { token, options, progress: progressChannel(onProgress) })
export const commit = (token: string, options: ImportOptions, onProgress: (p: ProgressReport) => void) =>
  call<ReportHead>(D, 'commit', { token, options, progress: progressChannel(onProgress) })
export const cancel = (token: string) => call<void>(D, 'cancel', { token })
/** Drops the chosen file's session and its report in Rust. */
export const close = (token: string) => call<void>(D, 'close', { token })
export const rows = (token: string, offset: number, limit: number, filter: RowFilter) =>
  call<RowPage>(D, 'rows', { token, offset, limit, filter })
export const exportErrors = (token: string) => call<string | null>(D, 'export_errors', { token })
export const undo = (batch: number, force: boolean) => call<UndoReport>(D, 'undo', { batch, force })
export const batches = () => call<BatchInfo[]>(D, 'batches')
export const batch = (id: number) => call<[BatchInfo, BatchItem[]]>(D, 'batch', { id })
