import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import ImportView from '../src/views/import/ImportView.vue'
import { i18n } from '../src/i18n'

// The rent-subsidy fields as the core lists them (schema.rs RENT_FIELDS).
const RENT = [
  ['uscc', '统一社会信用代码', true],
  ['name', '企业名称', true],
  ['lease_address', '租赁地址', false],
  ['area_centi_m2', '租赁面积', true],
  ['unit_rent_fen', '租金单价', true],
  ['lease_start', '租期起', true],
  ['lease_end', '租期止', true],
  ['annual_rent_fen', '年租金', false],
  ['revenue_prev_fen', '上年营业收入', false],
  ['revenue_curr_fen', '本年营业收入', false],
  ['subsidy_year', '申请补贴年度', true],
  ['requested_fen', '申请补贴金额', false],
] as const
// Rust gives each field's English name too (only the one a test reads is spelled out here).
const EN: Record<string, string> = { lease_end: 'Lease end' }
const kinds = [
  { kind: 'enterprises', label_zh: '企业名录', label_en: 'Enterprise roster', fields: [{ name: 'uscc', label_zh: '统一社会信用代码', label_en: 'USCC', required: true }, { name: 'name', label_zh: '企业名称', label_en: 'Enterprise name', required: true }] },
  { kind: 'rent_applications', label_zh: '房租补贴申报', label_en: 'Rent subsidy applications', fields: RENT.map(([name, label_zh, required]) => ({ name, label_zh, label_en: EN[name] ?? name, required })) },
]

type Col = { index: number; column: string; field: string | null; unit: string | null; remembered?: boolean }
// Every rent field has a column, except those named in `without`.
function headFor(opts: { sheet?: string; headerRow?: number; without?: string[]; rejected?: number } = {}) {
  const columns: Col[] = RENT.filter(([n]) => !(opts.without ?? []).includes(n)).map(([field, label], index) => ({ index, column: label, field, unit: null }))
  return {
    file: 'rent.xlsx', file_sha256: 'a'.repeat(64), format: 'xlsx', sheet: opts.sheet ?? 'Sheet1', sheets: ['Sheet1', 'Sheet2'], kind: 'rent_applications',
    header_row: opts.headerRow ?? 2, park: '江宁园', mapping: columns.map((c) => ({ column: c.column, field: c.field })), columns,
    unknown_columns: [], missing_columns: [], summary: { rows: 2, accepted: 1, rejected: opts.rejected ?? 1, skipped: 0, new: 1, updated: 0, unchanged: 0 },
    disappeared: [], previous_import: null, dry_run: true, batch_id: null, row_count: 2, error_count: 1,
  }
}
const cells = ['914403001922038216', '南京甲乙科技有限公司', '江宁区1号', '250', '45', '2025-01-01', '2025-12-31', '135000', '100', '200', '4', '5']
const goodRow = { row: 3, status: 'accepted', action: 'new', record: { uscc: '91320115MA1XXXXX0X', name: '南京丙丁科技有限公司', subsidy_year: 2, requested_fen: 500000 } }
const yearError = {
  row: 4, status: 'rejected', cells,
  errors: [{ code: 'out_of_range', field: 'subsidy_year', column: '申请补贴年度', value: '4', message: '申请补贴年度为第4年，超出第1–3年的范围（政策规定补贴最长不超过三年）。', message_en: 'Subsidy year 4 is outside 1–3 (the policy allows three years at most).' }],
}
const endMissing = {
  row: 4, status: 'rejected', cells: cells.filter((_, i) => i !== 6),
  errors: [{ code: 'missing_required', field: 'lease_end', column: '租期止', value: '', message: '“租期止”为空。这是必填项，请补上。', message_en: '“租期止” is empty; it is required.' }],
}

type Call = { cmd: string; args: Record<string, unknown> }
// `more` answers the commands a test needs beyond reading (commit, undo).
function setup(report: (options: Record<string, unknown>) => ReturnType<typeof headFor>, rows: unknown[], more: (cmd: string) => unknown = () => undefined) {
  const calls: Call[] = []
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> })
    const answer = more(cmd)
    if (answer !== undefined) return answer
    if (cmd === 'plugin:import|kinds') return kinds
    if (cmd === 'plugin:import|batches') return []
    if (cmd === 'plugin:import|choose_file') return { token: 't1', file_name: 'rent.xlsx' }
    if (cmd === 'plugin:import|analyze') return report((args as { options: Record<string, unknown> }).options)
    if (cmd === 'plugin:import|rows') return { total: rows.length, rows }
  })
  const w = mount(ImportView, { attachTo: document.body, global: { stubs: { RouterLink: true } } })
  const analyses = () => calls.filter((c) => c.cmd === 'plugin:import|analyze').map((c) => c.args.options as Record<string, unknown>)
  return { w, calls, analyses }
}
const click = async (sel: string) => {
  const el = document.querySelector(sel) as HTMLElement | null
  if (!el) throw new Error(`no ${sel}`)
  el.click()
  await flushPromises()
}
async function toPreview() {
  await flushPromises()
  await click('[data-testid=import-choose]')
  await click('[data-testid=import-next-1]')
  await click('[data-testid=import-next-2]')
  expect(document.querySelector('[data-testid=import-rows]')).not.toBeNull()
}
const last = <T,>(xs: T[]): T => xs[xs.length - 1]
const body = () => document.body.textContent ?? ''

describe('ImportView preview', () => {
  afterEach(() => {
    clearMocks()
    document.body.innerHTML = ''
    i18n.global.locale.value = 'zh-CN'
  })

  it('shows every field of a rent_applications file as a column', async () => {
    const { w } = setup(() => headFor(), [goodRow, yearError])
    await toPreview()
    const header = document.querySelector('[data-testid=import-rows] .el-table__header-wrapper')?.textContent ?? ''
    for (const [name, label] of RENT) {
      expect(document.querySelector(`[data-testid=col-${name}]`), name).not.toBeNull()
      if (name !== 'uscc' && name !== 'name') expect(header).toContain(label)
    }
    // Money in yuan; the later fields are shown too.
    expect(header).toContain('申请补贴金额（元）')
    expect(body()).toContain('5,000.00')
    // Nothing is marked as missing from the file.
    expect(header).not.toContain('文件无此列')
    w.unmount()
  })

  it('a long value keeps its row one line high and shows its whole text on hover', async () => {
    const address = '江苏省南京市江宁区秣陵街道秣周东路12号紫金（江宁）科技创业特别社区7号楼3层301室'
    const { w } = setup(() => headFor(), [{ ...goodRow, record: { ...goodRow.record, lease_address: address } }])
    await toPreview()
    const cell = [...document.querySelectorAll('[data-testid=import-rows] .one-line')].find((e) => e.textContent === address) as HTMLElement | undefined
    expect(cell, 'the address cell').toBeDefined()
    expect(cell!.title).toBe(address)
    w.unmount()
  })

  it('a row whose enterprise the registry lacks says the import adds it, and so does the confirmation', async () => {
    const { w } = setup(() => ({ ...headFor({ rejected: 0 }), new_enterprises: 1 }), [{ ...goodRow, new_enterprise: true }])
    await toPreview()
    expect(document.querySelector('[data-testid=note-new-enterprise-3]')?.textContent).toContain('将新建企业档案')
    expect(document.querySelector('[data-testid=import-new-enterprises]')?.textContent).toContain('其中 1 家企业台账中没有')
    await click('[data-testid=import-commit]')
    await new Promise((r) => setTimeout(r, 50))
    expect(body()).toContain('另有 1 家企业台账中没有，将一并新建企业档案。')
    w.unmount()
  })

  it('an error in a later column (补贴年度) opens the fix for that field and sends the edit', async () => {
    const { w, analyses } = setup(() => headFor(), [goodRow, yearError])
    await toPreview()
    expect(document.querySelector('[data-testid=cell-error-4-subsidy_year]')?.textContent).toContain('4')
    await click('[data-testid=cell-error-4-subsidy_year]')
    const dialog = document.querySelector('[data-testid=fix-dialog]')?.closest('.el-overlay') ?? document.body
    expect(dialog.textContent).toContain('修正第 4 行的“申请补贴年度”')
    expect(dialog.textContent).toContain('超出第1–3年的范围')
    const input = document.querySelector('[data-testid=fix-input] input, input[data-testid=fix-input]') as HTMLInputElement
    expect(input.value).toBe('4')
    input.value = '2'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    const before = analyses().length
    await click('[data-testid=fix-apply]')
    expect(analyses().length).toBe(before + 1)
    expect(last(analyses()).edits).toEqual([{ row: 4, field: 'subsidy_year', value: '2' }])
    w.unmount()
  })

  it('a double-click on an error opens the fix and keeps it open, titled, with its input', async () => {
    const { w } = setup(() => headFor(), [goodRow, yearError])
    await toPreview()
    await click('[data-testid=cell-error-4-subsidy_year]')
    // The double-click's second click lands on the overlay the dialog just put over the cell.
    const overlay = document.querySelector('[data-testid=fix-dialog]')?.closest('.el-overlay') as HTMLElement
    overlay.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }))
    overlay.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }))
    overlay.click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    expect(document.querySelector('[data-testid=fix-input]')).not.toBeNull()
    expect(overlay.textContent).toContain('修正第 4 行的“申请补贴年度”')
    // Cancelled, it fades out under its own title, not "修正第 行的“”".
    await click('.el-dialog__footer .el-button:not(.el-button--primary)')
    expect(document.querySelector('[data-testid=fix-input]')).toBeNull()
    expect(overlay.textContent).toContain('修正第 4 行的“申请补贴年度”')
    w.unmount()
  })

  it('a fix for a field the file has no column for says so instead of sending it', async () => {
    const { w, analyses } = setup(() => headFor({ without: ['lease_end'] }), [endMissing])
    await toPreview()
    // The required field still has a column in the preview, marked as not in the file.
    expect(document.querySelector('[data-testid=import-rows] .el-table__header-wrapper')?.textContent).toContain('租期止（文件无此列）')
    await click('[data-testid=cell-error-4-lease_end]')
    const msg = document.querySelector('[data-testid=fix-no-column]')?.textContent ?? ''
    expect(msg).toContain('文件中没有对应到“租期止”的列')
    expect(msg).toContain('列对应')
    expect(document.querySelector('[data-testid=fix-input]')).toBeNull()
    expect(document.querySelector('[data-testid=fix-apply]')).toBeNull()
    const before = analyses().length
    await click('[data-testid=fix-to-columns]')
    expect(analyses().length).toBe(before)
    expect(analyses().every((o) => (o.edits as unknown[]).length === 0)).toBe(true)
    // Back at the column mapping step.
    expect(document.querySelector('[data-testid=import-next-2]')).not.toBeNull()
    w.unmount()
  })

  it('the message is in English when the UI is', async () => {
    i18n.global.locale.value = 'en'
    const { w } = setup(() => headFor({ without: ['lease_end'] }), [endMissing])
    await toPreview()
    await click('[data-testid=note-error-4-lease_end]')
    // The field is named in English too.
    expect(document.querySelector('[data-testid=fix-no-column]')?.textContent).toContain('No column of the file maps to “Lease end”')
    w.unmount()
  })
})

describe('ImportView sheet and header', () => {
  afterEach(() => {
    clearMocks()
    document.body.innerHTML = ''
  })

  it('changing the sheet drops the header row and the column choices of the previous sheet', async () => {
    const { w, analyses } = setup((o) => headFor({ sheet: (o.sheet as string) ?? 'Sheet1', headerRow: o.sheet === 'Sheet2' ? 5 : 2 }), [goodRow])
    await flushPromises()
    await click('[data-testid=import-choose]')
    await click('[data-testid=import-next-1]')
    // A column choice on Sheet1's mapping step.
    const vm = w.vm as unknown as { opts: { columns: Record<number, string | null>; header_row: number | null; sheet: string | null } }
    ;(w.vm as unknown as { setColumn: (i: number, f: string | null) => void }).setColumn(2, null)
    await click('[data-testid=import-next-2]')
    expect(last(analyses())).toMatchObject({ sheet: 'Sheet1', header_row: 2, columns: [{ index: 2, field: null }] })
    // Back to the first step and pick the other sheet in the select.
    ;(w.vm as unknown as { step: number }).step = 1
    await flushPromises()
    await click('[data-testid=import-sheet] .el-select__wrapper')
    const option = [...document.querySelectorAll('.el-select-dropdown__item')].find((o) => o.textContent?.trim() === 'Sheet2') as HTMLElement
    option.click()
    await flushPromises()
    expect(vm.opts.sheet).toBe('Sheet2')
    expect(vm.opts.columns).toEqual({})
    // Rust is asked without Sheet1's header row, kind or columns, and what it found on Sheet2
    // becomes the choice shown.
    const sent = last(analyses())
    expect(sent.sheet).toBe('Sheet2')
    expect(sent.header_row).toBeUndefined()
    expect(sent.kind).toBeUndefined()
    expect(sent.columns).toBeUndefined()
    expect(vm.opts.header_row).toBe(5)
    // The hint shows the header row Rust found on the new sheet.
    expect(body()).toContain('自动识别为第 5 行')
    w.unmount()
  })
})

describe('ImportView behaviour a program manager relies on', () => {
  afterEach(() => {
    clearMocks()
    document.body.innerHTML = ''
  })

  it('before → after notes show money in 元 and areas in ㎡, not the stored 分', async () => {
    const changed = { ...goodRow, action: 'updated', changes: [
      { field: 'requested_fen', before: 500000, after: 600000 },
      { field: 'area_centi_m2', before: null, after: 25050 },
    ] }
    const { w } = setup(() => headFor({ rejected: 0 }), [changed])
    await toPreview()
    expect(document.querySelector('[data-testid=change-3-requested_fen]')?.textContent).toBe('申请补贴金额（元）：5,000.00 → 6,000.00')
    expect(document.querySelector('[data-testid=change-3-area_centi_m2]')?.textContent).toBe('租赁面积（㎡）：— → 250.50')
    w.unmount()
  })

  it('a read that fails keeps the wizard on its step (it never moves on with the previous read)', async () => {
    let fail = false
    const { w } = setup(() => {
      if (fail) throw { code: 'file_error', message: '无法读取文件' }
      return headFor()
    }, [goodRow])
    await flushPromises()
    await click('[data-testid=import-choose]')
    await click('[data-testid=import-next-1]')
    fail = true
    await click('[data-testid=import-next-2]')
    expect(document.querySelector('[data-testid=import-next-2]'), 'still on the column step').not.toBeNull()
    expect(document.querySelector('[data-testid=import-rows]')).toBeNull()
    expect(body()).toContain('无法读取文件')
    w.unmount()
  })

  it('a double click on 导入 asks once, and a click on the overlay does not dismiss the question', async () => {
    const { w, calls } = setup(() => headFor({ rejected: 0 }), [goodRow])
    await toPreview()
    await click('[data-testid=import-commit]')
    await click('[data-testid=import-commit]')
    await new Promise((r) => setTimeout(r, 50))
    expect(document.querySelectorAll('.el-message-box').length).toBe(1)
    ;(document.querySelector('.el-overlay.is-message-box') as HTMLElement | null)?.click()
    await new Promise((r) => setTimeout(r, 50))
    expect(document.querySelectorAll('.el-message-box').length).toBe(1)
    expect(calls.filter((c) => c.cmd === 'plugin:import|commit').length).toBe(0)
    w.unmount()
  })

  it('an error cell opens its fix from the keyboard', async () => {
    const { w } = setup(() => headFor(), [goodRow, yearError])
    await toPreview()
    const cell = document.querySelector('[data-testid=cell-error-4-subsidy_year]') as HTMLElement
    expect(cell.getAttribute('tabindex')).toBe('0')
    cell.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await flushPromises()
    expect(document.querySelector('[data-testid=fix-input]')).not.toBeNull()
    w.unmount()
  })

  it('the result page undoes the batch after naming the file and what it did, then says it was undone', async () => {
    const { w, calls } = setup(() => headFor({ rejected: 0 }), [goodRow], (cmd) => {
      if (cmd === 'plugin:import|commit') return { ...headFor({ rejected: 0 }), dry_run: false, batch_id: 7 }
      if (cmd === 'plugin:import|undo') return { batch_id: 7, removed: 1, restored: 0, kept: [], dependents: [] }
    })
    await toPreview()
    await click('[data-testid=import-commit]')
    await new Promise((r) => setTimeout(r, 50))
    ;(document.querySelector('.el-message-box .el-button--primary') as HTMLElement).click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    expect(document.querySelector('[data-testid=import-result]')).not.toBeNull()
    await click('[data-testid=import-undo]')
    await new Promise((r) => setTimeout(r, 50))
    const box = [...document.querySelectorAll('.el-message-box')].pop()?.textContent ?? ''
    expect(box).toContain('撤销第 7 批导入（“rent.xlsx”')
    expect(box).toContain('将删除这批新增的 1 条记录')
    ;([...document.querySelectorAll('.el-message-box .el-button--primary')].pop() as HTMLElement).click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    expect(calls.filter((c) => c.cmd === 'plugin:import|undo').map((c) => c.args)).toEqual([{ batch: 7, force: false }])
    expect(document.querySelector('[data-testid=import-result-undone]')?.textContent).toContain('第 7 批导入已撤销')
    expect(document.querySelector('[data-testid=import-undo]')).toBeNull()
    w.unmount()
  })

  it('offers the park\'s last mapping, marked, and maps from the headers on request', async () => {
    const { w, analyses } = setup((o) => {
      const h = headFor()
      if (!o.auto_columns) h.columns[2] = { ...h.columns[2], remembered: true } as Col
      return h
    }, [goodRow])
    await flushPromises()
    await click('[data-testid=import-choose]')
    await click('[data-testid=import-next-1]')
    expect(document.querySelector('[data-testid=import-remembered]')?.textContent).toContain('有 1 列沿用了“江宁园”上次导入时选择的对应')
    expect(document.querySelector('[data-testid=remembered-2]')?.textContent).toBe('沿用上次')
    await click('[data-testid=import-auto-columns]')
    expect(last(analyses()).auto_columns).toBe(true)
    expect(document.querySelector('[data-testid=import-remembered]')).toBeNull()
    expect(document.querySelector('[data-testid=remembered-2]')).toBeNull()
    w.unmount()
  })

  it('shows a rejected row\'s other cells as the file writes them, marked as not converted', async () => {
    const { w } = setup(() => headFor(), [goodRow, yearError])
    await toPreview()
    const raw = [...document.querySelectorAll('[data-testid=import-rows] .as-written')].find((e) => e.textContent === '45') as HTMLElement | undefined
    expect(raw, 'the unit rent cell of row 4 as written').toBeDefined()
    expect(raw!.title).toBe('文件原文：45（本行有错误，未换算单位）')
    // An accepted row's amounts are converted and not marked.
    expect([...document.querySelectorAll('[data-testid=import-rows] .one-line')].find((e) => e.textContent === '5,000.00')?.classList.contains('as-written')).toBe(false)
    w.unmount()
  })
})

describe('ImportView warnings', () => {
  afterEach(() => {
    clearMocks()
    document.body.innerHTML = ''
    i18n.global.locale.value = 'zh-CN'
  })
  const mismatch = {
    code: 'subsidy_year_mismatch', field: 'subsidy_year', column: '申请补贴年度', value: '2',
    message: '申请填写第2年，按台账已补贴月数应为第1年（以台账为准）。', message_en: 'The row says year 2; the ledger gives year 1.',
  }
  const warned = { ...goodRow, warnings: [mismatch] }

  it('marks the warned cell of an accepted row, says why on hover and counts the rows', async () => {
    const { w, calls } = setup(() => headFor(), [warned, goodRow, yearError])
    await toPreview()
    await flushPromises()
    const cell = document.querySelector('[data-testid=cell-warning-3-subsidy_year]')
    expect(cell?.textContent).toContain('2')
    expect(document.querySelector('[data-testid=note-warning-3-subsidy_year]')?.textContent).toBe(mismatch.message)
    // Counted over the accepted rows of the whole report, not the page.
    expect(calls.some((c) => c.cmd === 'plugin:import|rows' && c.args.filter === 'accepted')).toBe(true)
    expect(document.querySelector('[data-testid=import-warning-count]')?.textContent).toBe('1 行有提示')
    // A warning is not an error: the row is not refused and its cell is not an error cell.
    expect(document.querySelector('[data-testid=cell-error-3-subsidy_year]')).toBeNull()
    w.unmount()
  })

  it('takes the count from the report when it gives one, and shows nothing without warnings', async () => {
    const a = setup(() => ({ ...headFor(), warning_count: 4 }), [warned])
    await toPreview()
    await flushPromises()
    expect(document.querySelector('[data-testid=import-warning-count]')?.textContent).toBe('4 行有提示')
    a.w.unmount()
    clearMocks()
    document.body.innerHTML = ''
    const b = setup(() => headFor(), [goodRow])
    await toPreview()
    await flushPromises()
    expect(document.querySelector('[data-testid=import-warning-count]')).toBeNull()
    b.w.unmount()
  })
})
