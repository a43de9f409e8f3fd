// Writing the checked file to the ledger and undoing a batch, part of the import session: 导入
// asks once (naming what it will do) and commits with progress and 取消; the rows refused can be
// saved as a file; an undo (the result page's 撤销本次导入 or the history's) names the batch, its
// file and time and what it did, and a batch whose records were changed since asks again.
import { ElMessage, ElMessageBox } from 'element-plus'
import * as api from '../../ipc/import'
import type { BatchInfo } from '../../bindings/BatchInfo'
import type { UndoReport } from '../../bindings/UndoReport'
import { IpcError } from '../../ipc'
import { i18n } from '../../i18n'
import { fmtTime } from '../../format'
import { notifyError, LONG } from '../../notify'
import type { ImportRead } from './useImportSession'

// What an undo question names: the batch, its file and time, and what it did.
export type BatchLine = { id: number; file: string; at: string; new: number; updated: number }
export function batchLine(b: BatchInfo): BatchLine {
  const s = ((b.summary as { summary?: { new?: number; updated?: number } } | null)?.summary ?? {})
  return { id: b.id, file: b.file_name, at: b.created_at, new: s.new ?? 0, updated: s.updated ?? 0 }
}

export function useImportCommit(read: ImportRead) {
  const { t } = i18n.global
  const { head, token, busy, progress, fileName, result, undone, history, step, options, loadHistory } = read

  let confirming = false
  async function confirmCommit() {
    const h = head.value
    if (!h || !token.value || busy.value || confirming) return
    const s = h.summary
    const msg =
      t('import.confirm', { file: fileName.value, new: s.new, updated: s.updated, unchanged: s.unchanged, rejected: s.rejected }) +
      (h.new_enterprises ? t('import.confirmNewEnterprises', { n: h.new_enterprises }) : '')
    confirming = true
    try {
      // A second click of a double click must not land on the overlay and dismiss the question.
      await ElMessageBox.confirm(msg, t('import.commitTitle'), { type: s.rejected ? 'warning' : 'info', confirmButtonText: t('import.commit'), cancelButtonText: t('common.cancel'), closeOnClickModal: false })
    } catch {
      return
    } finally {
      confirming = false
    }
    busy.value = 'commit'
    progress.value = null
    try {
      result.value = await api.commit(token.value, options(), (p) => (progress.value = p))
      step.value = 4
      ElMessage.success(t('import.committed', { id: result.value.batch_id }))
      loadHistory()
    } catch (e) {
      if (e instanceof IpcError && e.code === 'cancelled') ElMessage.info(t('import.cancelled'))
      else notifyError(e, LONG)
    } finally {
      busy.value = ''
    }
  }
  async function cancelRun() {
    if (token.value) await api.cancel(token.value)
  }

  async function exportErrors() {
    if (!token.value) return
    try {
      const p = await api.exportErrors(token.value)
      if (p) ElMessage.success({ message: t('import.errorsSaved', { path: p }), duration: 6000 })
    } catch (e) {
      notifyError(e, LONG)
    }
  }

  function undoneText(r: UndoReport) {
    const base = t('import.undone', { removed: r.removed, restored: r.restored })
    return r.kept.length ? base + t('import.undoneKept', { n: r.kept.length, what: r.kept.slice(0, 5).join('；') }) : base
  }
  async function undoBatch(b: BatchLine): Promise<boolean> {
    try {
      await ElMessageBox.confirm(t('import.undoConfirm', { id: b.id, file: b.file, at: fmtTime(b.at), new: b.new, updated: b.updated }), t('import.undo'), {
        type: 'warning',
        confirmButtonText: t('import.undoThis'),
        cancelButtonText: t('common.cancel'),
      })
    } catch {
      return false
    }
    let done = false
    try {
      const r = await api.undo(b.id, false)
      ElMessage.success({ message: undoneText(r), duration: 6000, showClose: true })
      done = true
    } catch (e) {
      if (e instanceof IpcError && e.code === 'import_undo_conflict') {
        try {
          await ElMessageBox.confirm(e.message, t('import.undoConflict'), { type: 'warning', confirmButtonText: t('import.undoAnyway'), cancelButtonText: t('common.cancel') })
          const r = await api.undo(b.id, true)
          ElMessage.success({ message: undoneText(r), duration: 8000, showClose: true })
          done = true
        } catch (e2) {
          if (e2 !== 'cancel' && e2 !== 'close') notifyError(e2, LONG)
        }
      } else notifyError(e, LONG)
    }
    loadHistory()
    return done
  }

  // The result page's 撤销本次导入 (the page then says the batch was undone).
  async function undoThis() {
    const r = result.value
    if (!r?.batch_id) return
    const at = history.value.find((b) => b.id === r.batch_id)?.created_at ?? new Date().toISOString()
    if (await undoBatch({ id: r.batch_id, file: fileName.value, at, new: r.summary.new, updated: r.summary.updated })) undone.value = true
  }

  return { confirmCommit, cancelRun, exportErrors, undoBatch, undoThis, batchLine }
}
