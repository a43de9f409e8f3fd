// The import session on its own, without the page: what it sends to the core and what it keeps.
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { useImportSession } from '../src/views/import/useImportSession'

const columns = [
  { index: 0, column: '统一社会信用代码', field: 'uscc', unit: null },
  { index: 1, column: '企业名称', field: 'name', unit: null },
  { index: 2, column: '申请补贴年度', field: 'subsidy_year', unit: null },
]
const head = (o: { sheet?: string; headerRow?: number } = {}) => ({
  file: 'rent.xlsx', sheet: o.sheet ?? 'Sheet1', sheets: ['Sheet1', 'Sheet2'], kind: 'rent_applications', header_row: o.headerRow ?? 2, park: '江宁园',
  columns, mapping: [], unknown_columns: [], missing_columns: [], disappeared: [], previous_import: null, dry_run: true, batch_id: null, row_count: 2, error_count: 1,
  summary: { rows: 2, accepted: 1, rejected: 1, skipped: 0, new: 1, updated: 0, unchanged: 0 },
})
const warned = { row: 3, status: 'accepted', action: 'new', record: {}, warnings: [{ code: 'subsidy_year_mismatch', field: 'subsidy_year', column: '', value: '2', message: '', message_en: '' }] }
const rejected = { row: 4, status: 'rejected', cells: ['x', 'y', '4'], errors: [{ code: 'out_of_range', field: 'subsidy_year', column: '申请补贴年度', value: '4', message: '超出范围', message_en: 'out of range' }] }

type Call = { cmd: string; args: Record<string, unknown> }
function core(analyze: (options: Record<string, unknown>) => unknown = (o) => head({ sheet: o.sheet as string | undefined, headerRow: o.sheet === 'Sheet2' ? 5 : 2 })) {
  const calls: Call[] = []
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> })
    if (cmd === 'plugin:import|choose_file') return { token: 't1', file_name: 'rent.xlsx' }
    if (cmd === 'plugin:import|analyze') return analyze((args as { options: Record<string, unknown> }).options)
    if (cmd === 'plugin:import|rows') {
      const rows = (args as { filter: string }).filter === 'accepted' ? [warned] : [warned, rejected]
      return { total: rows.length, rows }
    }
  })
  const sent = () => calls.filter((c) => c.cmd === 'plugin:import|analyze').map((c) => c.args.options as Record<string, unknown>)
  return { calls, sent }
}

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('useImportSession', () => {
  it('reads a chosen file, takes what Rust found as the choices and counts the warned rows', async () => {
    const { sent } = core()
    const s = useImportSession()
    await s.choose()
    await flushPromises()
    expect(s.step.value).toBe(1)
    expect(s.fileName.value).toBe('rent.xlsx')
    expect(sent()).toEqual([{ edits: [] }])
    expect(s.opts).toMatchObject({ kind: 'rent_applications', sheet: 'Sheet1', header_row: 2, park: '江宁园' })
    expect(s.rows.value).toHaveLength(2)
    expect(s.warningRows.value).toBe(1)
  })

  it('another sheet is read without the previous sheet\'s header row, kind, columns and fixes', async () => {
    const { sent } = core()
    const s = useImportSession()
    await s.choose()
    s.setColumn(2, null)
    s.opts.edits = [{ row: 4, field: 'subsidy_year', value: '2' }]
    s.opts.sheet = 'Sheet2'
    await s.changeSheet()
    expect(sent().pop()).toEqual({ sheet: 'Sheet2', park: '江宁园', edits: [] })
    expect(s.opts.header_row).toBe(5)
    expect(s.detectedHeader.value).toBe(5)
  })

  it('a fix is sent with the next read; a read that fails keeps the step', async () => {
    let fail = false
    const { sent } = core(() => {
      if (fail) throw { code: 'file_error', message: '无法读取文件' }
      return head()
    })
    const s = useImportSession()
    await s.choose()
    await s.next(3)
    expect(s.step.value).toBe(3)
    s.startEdit(rejected as never, rejected.errors[0] as never)
    expect(s.editing.value).toMatchObject({ row: 4, field: 'subsidy_year', column: '申请补贴年度', value: '4', mapped: true })
    s.editing.value!.value = '2'
    await s.applyEdit()
    expect(sent().pop()?.edits).toEqual([{ row: 4, field: 'subsidy_year', value: '2' }])
    fail = true
    s.step.value = 2
    await s.next(3)
    expect(s.step.value).toBe(2)
    expect(document.body.textContent).toContain('无法读取文件')
  })

  it('starting again drops the file\'s session in Rust', async () => {
    const { calls } = core()
    const s = useImportSession()
    await s.choose()
    s.reset()
    expect(calls.filter((c) => c.cmd === 'plugin:import|close').map((c) => c.args)).toEqual([{ token: 't1' }])
    expect(s.step.value).toBe(0)
    expect(s.head.value).toBeNull()
  })
})
