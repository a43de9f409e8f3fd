import { call } from '.'
import type { Enterprise } from '../bindings/Enterprise'
import type { EnterpriseDetail } from '../bindings/EnterpriseDetail'
import type { EnterpriseInput } from '../bindings/EnterpriseInput'
import type { EnterprisePage } from '../bindings/EnterprisePage'
import type { EnterpriseQuery } from '../bindings/EnterpriseQuery'
import type { EnterpriseStatus } from '../bindings/EnterpriseStatus'
import type { FieldError } from '../bindings/FieldError'
import type { MergePlan } from '../bindings/MergePlan'
import type { Park } from '../bindings/Park'
import type { SaveResult } from '../bindings/SaveResult'
import type { UndoPreview } from '../bindings/UndoPreview'
import type { UndoResult } from '../bindings/UndoResult'
import type { Warning } from '../bindings/Warning'

const D = 'enterprise'
export const search = (query: EnterpriseQuery) => call<EnterprisePage>(D, 'search', { query })
export const get = (id: number) => call<Enterprise>(D, 'get', { id })
export const detail = (id: number) => call<EnterpriseDetail>(D, 'detail', { id })
export const validate = (input: EnterpriseInput, id: number | null) =>
  call<[FieldError[], Warning[]]>(D, 'validate', { input, id })
export const create = (input: EnterpriseInput) => call<SaveResult>(D, 'create', { input })
export const update = (id: number, input: EnterpriseInput, revision: number | null) =>
  call<SaveResult>(D, 'update', { id, input, revision })
export const setStatus = (id: number, status: EnterpriseStatus) => call<SaveResult>(D, 'set_status', { id, status })
/** What Ctrl+Z would undo, in words; null when no change made by hand is left. */
export const undoPreview = () => call<UndoPreview | null>(D, 'undo_preview')
/** Undo the change a preview named (refused with undo_stale when another came first). */
export const undo = (eventId: number) => call<UndoResult>(D, 'undo', { eventId })
/** What Ctrl+Shift+Z would redo, in words; null when nothing can be redone. */
export const redoPreview = () => call<UndoPreview | null>(D, 'redo_preview')
export const redo = (eventId: number) => call<UndoResult>(D, 'redo', { eventId })
export const merge = (plan: MergePlan) => call<Enterprise>(D, 'merge', { plan })
export const parks = () => call<Park[]>(D, 'parks')
export const parkSave = (park: Park) => call<Park>(D, 'park_save', { park })
export const sectors = () => call<string[]>(D, 'sectors')
export const sectorsSave = (sectors: string[]) => call<void>(D, 'sectors_save', { sectors })
/** Opens a save dialog (in Rust) and writes the filtered list; null when the user cancelled. */
export const exportList = (query: EnterpriseQuery, format: 'xlsx' | 'csv') =>
  call<string | null>(D, 'export', { query, format })
