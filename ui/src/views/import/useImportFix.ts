// Fixing a refused cell in place, part of the import session: the fix is sent with the next read
// as an edit of the mapped column's cell (CellEdit), so the row is checked again by Rust.
import { computed, ref } from 'vue'
import { ElMessage } from 'element-plus'
import type { RowReport } from '../../bindings/RowReport'
import type { RowError } from '../../bindings/RowError'
import { i18n } from '../../i18n'
import type { ImportRead } from './useImportSession'

/** The cell being fixed. `mapped`: a column of the file maps to its field. */
export type Editing = { row: number; field: string; column: string; value: string; message: string; mapped: boolean }

export function useImportFix(s: ImportRead) {
  const { t } = i18n.global
  const { head, opts, step, en, fieldLabel, analyze } = s

  // Fields a column of the file maps to (after the user's choices): only these can be fixed in
  // place — Rust applies an edit to the mapped column's cell and drops an edit to any other field.
  const mappedFields = computed(() => new Set((head.value?.columns ?? []).map((c) => c.field).filter((f): f is string => !!f)))

  const editing = ref<Editing | null>(null)
  function startEdit(r: RowReport, e: RowError) {
    // An error about the whole line (a CSV line longer than its header) has no cell to fix here.
    if (!e.field) return
    const field = e.field
    const col = head.value?.columns.find((c) => c.field === field)
    const current = opts.edits.find((x) => x.row === r.row && x.field === field)?.value ?? (col ? (r.cells?.[col.index] ?? '') : '')
    editing.value = { row: r.row, field, column: e.column || fieldLabel(field), value: current, message: en.value ? e.message_en : e.message, mapped: !!col }
  }
  function noColumnText(field: string) {
    return t('import.noColumnFix', { field: fieldLabel(field) })
  }
  function toColumns() {
    editing.value = null
    step.value = 2
  }
  async function applyEdit() {
    const e = editing.value
    if (!e) return
    if (!mappedFields.value.has(e.field)) {
      // Rust would drop the edit without a word: say so instead of re-checking to the same error.
      ElMessage.warning({ message: noColumnText(e.field), duration: 8000, showClose: true })
      return
    }
    opts.edits = opts.edits.filter((x) => !(x.row === e.row && x.field === e.field))
    opts.edits.push({ row: e.row, field: e.field, value: e.value })
    editing.value = null
    await analyze()
  }

  return { mappedFields, editing, startEdit, noColumnText, toColumns, applyEdit }
}
