// 公示 with mocked IPC: a list is published (the confirmation states how many items, the total and
// that they cannot be paid), objections are recorded and resolved, the list is closed once its
// period has ended; a payment a list holds is refused in words, not as a wrong amount.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import PublicityPanel from '../src/views/notice/PublicityPanel.vue'
import RentView from '../src/views/rent/RentView.vue'
import NoticeView from '../src/views/notice/NoticeView.vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { followCoreDay, holds, period, today, ymd } from '../src/views/notice/publicity'
import type { Publicity } from '../src/bindings/Publicity'
import type { Item } from '../src/bindings/Item'
import { grant } from './fixtures/rent'

const q = (sel: string) => document.querySelector(sel) as HTMLElement | null
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
const settle = async () => {
  await flushPromises()
  await wait(60)
  await flushPromises()
}
async function type(sel: string, value: string) {
  const el = q(sel) as HTMLInputElement | null
  if (!el) throw new Error(`no ${sel}`)
  el.value = value
  el.dispatchEvent(new Event('input'))
  await flushPromises()
}
async function click(sel: string) {
  const el = q(sel)
  if (!el) throw new Error(`no ${sel}`)
  el.click()
  await settle()
}
/** The newest message box (closed ones may linger while they fade). */
const box = () => [...document.querySelectorAll('.el-message-box')].pop() as HTMLElement | undefined
async function answer(accept: boolean) {
  const b = box()
  if (!b) throw new Error('no message box')
  ;(b.querySelector(accept ? '.el-message-box__btns .el-button--primary' : '.el-message-box__btns .el-button:not(.el-button--primary)') as HTMLElement).click()
  await settle()
  await wait(50)
  await flushPromises()
}

const office = {
  district_name: '江宁区', district_code: '320115', authority: '南京市江宁区科学技术局', doc_prefix: '江宁科', signer: '南京市江宁区科学技术局', user_name: '',
  rule_name: '江宁区高新技术创业企业房租补贴实施细则', rule_doc_number: '江宁科规〔2025〕1号', review_body: '南京市江宁区人民政府', court: '南京市江宁区人民法院',
  cc: '', printer: '', publicity_contact: '区科技局产业科，电话025-52100000', publicity_days: 5,
}
const reward = {
  id: 9, enterprise_id: 2, enterprise_name: '南京丙丁智能有限公司', uscc: '91320115MA1XXXXX0Q', certification_id: 21, cert_kind: 'tech_innovation_demo', certificate_no: 'A-1', issued_on: '2026-01-10',
  program_id: 3, program_code: 'tech_innovation_demo', program_name_zh: '国家技术创新示范企业奖励', article: 1, amount_fen: 200_000_000, cap_fen: 200_000_000, approved_fen: null, paid_fen: 0,
  status: 'approved', reason: '', budget_year: 2026, over_budget: false, clause: { article: 1, version: 1 }, steps: [], basis: 'title', tops_up: null, note: '',
  created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z',
}
const programs = [{ id: 1, code: 'rent_subsidy', name_zh: '高新技术创业企业房租补贴', name_en: 'Rent subsidy', kind: 'rent_subsidy', article: 2, cap_fen: null, default_amount_fen: null, cert_kind: null, stacking_group: null, allow_stacking: false, active: true }]

/** A small stand-in for notice::publicity: the list, its items and objections, as the core answers. */
function core() {
  const calls: { cmd: string; args: Record<string, unknown> }[] = []
  let pub: Publicity | null = null
  let nextObjection = 31
  const clone = () => JSON.parse(JSON.stringify(pub)) as Publicity
  const item = (id: number, g: number | null, r: number | null, name: string, uscc: string, program: string, amount: number, ent: number): Item => ({
    id, publicity_id: 4, grant_id: g, reward_id: r, enterprise_id: ent, enterprise_name: name, uscc, program_name_zh: program, amount_fen: amount, outcome: 'listed', objections: [],
  })
  mockIPC((cmd, raw) => {
    const args = raw as Record<string, unknown>
    calls.push({ cmd, args })
    if (cmd === 'plugin:notice|publicity_list') return pub ? [clone()] : []
    if (cmd === 'plugin:notice|publicity_unpublished') return [[7], [9]]
    if (cmd === 'plugin:system|office_get') return office
    if (cmd === 'plugin:rent|grants') return [grant({ status: 'approved', approved_fen: 13_000_000 }), grant({ id: 8, status: 'approved', approved_fen: 100 })]
    if (cmd === 'plugin:cert|rewards') return [reward]
    if (cmd === 'plugin:policy|programs') return programs
    if (cmd === 'plugin:notice|publicity_create') {
      const input = args.input as { starts_on: string; days: number; contact: string }
      const p = period(input.starts_on, input.days)!
      pub = {
        id: 4, notice_id: 55, doc_number: '江宁科〔2026〕8号', subject: '关于2026年度高新技术创业企业房租补贴、国家技术创新示范企业奖励拟支持企业名单的公示', working_days: input.days,
        starts_on: p.from, ends_on: p.to, contact: input.contact, status: 'open', created_at: '2026-03-09T02:00:00Z', created_by: 'tester', closed_at: null, closed_by: null,
        items: [
          item(1, 7, null, '南京甲乙科技有限公司', '914403001922038216', '高新技术创业企业房租补贴', 13_000_000, 1),
          item(2, null, 9, reward.enterprise_name, reward.uscc, reward.program_name_zh, reward.amount_fen, 2),
        ],
      }
      return clone()
    }
    if (cmd === 'plugin:notice|publicity_object') {
      const it = pub!.items.find((i) => (args.grant !== null && i.grant_id === args.grant) || (args.reward !== null && i.reward_id === args.reward))!
      it.objections.push({
        id: nextObjection++, item_id: it.id, received_on: args.receivedOn as string, objector: args.objector as string, text: args.text as string, status: 'open', resolution: '', amended_fen: null,
        created_at: '2026-03-10T02:00:00Z', created_by: 'tester', resolved_at: null, resolved_by: null,
      })
      return clone()
    }
    if (cmd === 'plugin:notice|publicity_resolve') {
      for (const it of pub!.items)
        for (const o of it.objections)
          if (o.id === args.objection) {
            Object.assign(o, { status: args.outcome, resolution: args.reason, amended_fen: args.amount, resolved_at: '2026-03-11T02:00:00Z', resolved_by: 'tester' })
            if (args.outcome === 'amended') it.amount_fen = args.amount as number
            if (args.outcome === 'dropped') it.outcome = 'dropped'
          }
      return clone()
    }
    if (cmd === 'plugin:notice|publicity_close') {
      pub!.status = 'closed'
      pub!.closed_at = '2026-03-16T02:00:00Z'
      pub!.closed_by = 'tester'
      for (const it of pub!.items) if (it.outcome === 'listed' && !it.objections.some((o) => o.status === 'open')) it.outcome = 'cleared'
      return clone()
    }
    if (cmd === 'plugin:notice|publicity_export') return '/home/tester/公示名单.xlsx'
  })
  return { calls, of: (cmd: string) => calls.filter((c) => c.cmd === 'plugin:notice|' + cmd).map((c) => c.args) }
}

// The issued document opens in the notice viewer: a stub that shows which notice it was given.
const NoticeDialog = { props: ['modelValue', 'noticeId'], template: '<div v-if="modelValue" data-testid="notice-dialog-stub">{{ noticeId }}<slot name="actions" /></div>' }

beforeEach(() => {
  // Monday 9 March 2026, 10:00 local time: only the clock is fake (timers run).
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date(2026, 2, 9, 10, 0, 0))
})
afterEach(() => {
  vi.useRealTimers()
  clearMocks()
  document.body.innerHTML = ''
})

describe('publicity period', () => {
  it('counts working days as the core does', () => {
    expect(period('2026-03-09', 5)).toEqual({ from: '2026-03-09', to: '2026-03-13' })
    // A Saturday start moves to the Monday; the weekend in between is not counted.
    expect(period('2026-03-07', 5)).toEqual({ from: '2026-03-09', to: '2026-03-13' })
    expect(period('2026-03-12', 5)).toEqual({ from: '2026-03-12', to: '2026-03-18' })
    expect(period('2026-02-30', 5)).toBeNull()
  })
})

describe('what holds a payment', () => {
  const list = (over: Partial<Publicity>, objections: Item['objections'] = []): Publicity =>
    ({
      id: 1, doc_number: '江宁科〔2026〕1号', subject: 's', starts_on: '2026-03-05', ends_on: '2026-03-11', working_days: 5, status: 'open', contact: '', closed_at: null,
      items: [{ id: 1, publicity_id: 1, grant_id: 7, reward_id: null, enterprise_name: 'e', uscc: 'u', program_name_zh: 'p', amount_fen: 100, outcome: 'listed', objections }],
      ...over,
    }) as unknown as Publicity
  it('holds while the period runs and while an objection is open, not after a quiet period', () => {
    expect(holds([list({})], '2026-03-11').grants.get(7)?.kind).toBe('running')
    expect(holds([list({})], '2026-03-12').grants.size).toBe(0)
    const open = [{ id: 1, item_id: 1, received_on: '2026-03-06', objector: '', text: 'x', status: 'open' }] as unknown as Item['objections']
    expect(holds([list({ status: 'closed' }, open)], '2026-03-20').grants.get(7)?.kind).toBe('objection')
  })
  it('follows the day the core works on', () => {
    const local = ymd(new Date())
    followCoreDay('2030-01-02')
    expect(today()).toBe('2030-01-02')
    followCoreDay(local)
    expect(today()).toBe(local)
  })
})

describe('PublicityPanel', () => {
  it('publishes a list, records and resolves objections, and closes it after its period', async () => {
    const { of } = core()
    const w = mount(PublicityPanel, { attachTo: document.body, global: { stubs: { NoticeDialog } } })
    await settle()
    expect(document.body.textContent).toContain('还没有公示名单')

    // ---- create: what will be listed, the period, the confirmation ---------------------------------
    await click('[data-testid=publicity-new]')
    await settle()
    expect(q('[data-testid=publicity-candidate-g7]')?.textContent).toBe('南京甲乙科技有限公司')
    expect(q('[data-testid=publicity-candidate-r9]')?.textContent).toBe('南京丙丁智能有限公司')
    // Grant 8 is approved but was not offered by the core: not listed.
    expect(q('[data-testid=publicity-candidate-g8]')).toBeNull()
    expect(q('[data-testid=publicity-selected]')?.textContent).toBe('已选 2 项，合计 2,130,000.00 元')
    expect((q('[data-testid=publicity-contact]') as HTMLInputElement).value).toBe(office.publicity_contact)
    expect((q('[data-testid=publicity-start]') as HTMLInputElement).value).toBe('2026-03-09')
    expect(q('[data-testid=publicity-period]')?.textContent).toContain('2026-03-09 至 2026-03-13，共5个工作日')
    await click('[data-testid=publicity-create-confirm]')
    const confirm = box()?.textContent ?? ''
    expect(confirm).toContain('将 2 项（合计 2,130,000.00 元）列入公示名单')
    expect(confirm).toContain('公示期 2026-03-09 至 2026-03-13')
    expect(confirm).toContain('这些补贴和奖励不能拨付')
    expect(of('publicity_create')).toHaveLength(0)
    await answer(true)
    expect(of('publicity_create')).toEqual([{ input: { grants: [7], rewards: [9], starts_on: '2026-03-09', days: 5, contact: office.publicity_contact } }])
    // The issued document is shown, with the export beside it.
    expect(q('[data-testid=notice-dialog-stub]')?.textContent).toContain('55')
    await click('[data-testid=publicity-doc-export]')
    expect(of('publicity_export')).toEqual([{ id: 4 }])
    expect(q('[data-testid=publicity-row-4]')?.textContent).toBe('江宁科〔2026〕8号')
    expect(q('[data-testid=publicity-stage-4]')?.textContent).toBe('公示中')
    expect(q('[data-testid=publicity-outcome-g7]')?.textContent).toBe('公示中')
    // The period runs: the list cannot be closed yet, and says until when.
    expect((q('[data-testid=publicity-close]') as HTMLButtonElement).disabled).toBe(true)
    expect(q('[data-testid=publicity-close-hint]')?.textContent).toContain('公示期到 2026-03-13 为止')

    // ---- objections: against the grant and the reward ---------------------------------------------
    await click('[data-testid=publicity-object-g7]')
    await click('[data-testid=objection-save]')
    await wait(200)
    expect(q('[data-testid=objection-dialog]')?.textContent).toContain('请填写异议内容。')
    expect(of('publicity_object')).toHaveLength(0)
    await type('[data-testid=objection-text]', '该企业实际经营地址不在本区')
    await type('[data-testid=objection-objector]', '张三')
    await type('[data-testid=objection-received]', '2026-03-10')
    await click('[data-testid=objection-save]')
    expect(of('publicity_object')).toEqual([{ id: 4, grant: 7, reward: null, text: '该企业实际经营地址不在本区', objector: '张三', receivedOn: '2026-03-10' }])
    expect(q('[data-testid=publicity-outcome-g7]')?.textContent).toBe('异议处理中')
    expect(q('[data-testid=publicity-open-objections-4]')?.textContent).toBe('1')
    await click('[data-testid=publicity-object-r9]')
    await type('[data-testid=objection-text]', '证书编号有误')
    await click('[data-testid=objection-save]')
    expect(of('publicity_object')[1]).toMatchObject({ id: 4, grant: null, reward: 9, text: '证书编号有误', objector: '' })

    // ---- resolve the grant's objection: dropping says it revokes; amend with a reason -------------
    expect(q('[data-testid=publicity-objections-g7] [data-testid=objection-resolve-31]')).not.toBeNull()
    await click('[data-testid=objection-resolve-31]')
    ;(q('[data-testid=resolve-outcome-dropped]') as HTMLElement).click()
    await settle()
    await type('[data-testid=resolve-reason]', '核实属实')
    await click('[data-testid=resolve-save]')
    expect(box()?.textContent).toContain('将撤销南京甲乙科技有限公司的“高新技术创业企业房租补贴”（130,000.00 元）')
    await answer(false)
    expect(of('publicity_resolve')).toHaveLength(0)
    ;(q('[data-testid=resolve-outcome-amended]') as HTMLElement).click()
    await settle()
    await type('[data-testid=resolve-reason]', '')
    await type('[data-testid=resolve-amount]', '150000')
    await click('[data-testid=resolve-save]')
    await wait(200)
    const dialog = q('[data-testid=resolve-dialog]')?.textContent ?? ''
    expect(dialog).toContain('请填写处理理由。')
    expect(dialog).toContain('调整后的金额应大于0且低于公示金额 130,000.00 元。')
    await type('[data-testid=resolve-amount]', '100000')
    await type('[data-testid=resolve-reason]', '部分面积用于仓储，按实际办公面积核减')
    await click('[data-testid=resolve-save]')
    expect(box()?.textContent).toContain('由 130,000.00 元调整为 100,000.00 元（减少 30,000.00 元）')
    await answer(true)
    expect(of('publicity_resolve')).toEqual([{ objection: 31, outcome: 'amended', reason: '部分面积用于仓储，按实际办公面积核减', amount: 10_000_000 }])
    expect(q('[data-testid=publicity-amount-g7]')?.textContent).toBe('100,000.00')
    expect(q('[data-testid=objection-status-31]')?.textContent).toBe('调整金额')
    expect(q('[data-testid=objection-resolve-31]')).toBeNull()

    // ---- close after the period: one item cleared, one held by its open objection -----------------
    vi.setSystemTime(new Date(2026, 2, 16, 9, 0, 0))
    await click('[data-testid=publicity-refresh]')
    expect(q('[data-testid=publicity-stage-4]')?.textContent).toBe('期满待结束')
    expect((q('[data-testid=publicity-close]') as HTMLButtonElement).disabled).toBe(false)
    await click('[data-testid=publicity-close]')
    expect(box()?.textContent).toContain('1 项公示期满无异议，结束后可以拨付；1 项有未处理的异议')
    await answer(true)
    expect(of('publicity_close')).toEqual([{ id: 4 }])
    expect(q('[data-testid=publicity-stage-4]')?.textContent).toBe('已结束')
    expect(q('[data-testid=publicity-outcome-g7]')?.textContent).toBe('可拨付')
    expect(q('[data-testid=publicity-outcome-r9]')?.textContent).toBe('异议处理中')
    expect(q('[data-testid=publicity-close]')).toBeNull()
    w.unmount()
  }, 30_000)

  it('names the missing setting and links to it when the list cannot be issued', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:notice|publicity_list') return []
      if (cmd === 'plugin:notice|publicity_unpublished') return [[7], []]
      if (cmd === 'plugin:system|office_get') return { ...office, publicity_contact: '' }
      if (cmd === 'plugin:rent|grants') return [grant({ status: 'approved', approved_fen: 13_000_000 })]
      if (cmd === 'plugin:policy|programs') return programs
      if (cmd === 'plugin:notice|publicity_create')
        throw { code: 'missing_setting', message: '缺少“公示异议受理联系方式”，不能出具拟支持企业名单公示。请在 设置 → 单位信息 中填写。', details: { field: 'publicity_contact', kind: 'publicity' } }
    })
    const w = mount(PublicityPanel, { attachTo: document.body, global: { stubs: { NoticeDialog } } })
    await settle()
    await click('[data-testid=publicity-new]')
    await settle()
    await click('[data-testid=publicity-create-confirm]')
    await answer(true)
    expect(q('[data-testid=publicity-create-error]')?.textContent).toContain('缺少“公示异议受理联系方式”')
    expect(q('[data-testid=publicity-go-settings]')?.getAttribute('href')).toBe('#/settings?tab=office&field=publicity_contact')
    w.unmount()
  })
})

describe('RentView and 公示', () => {
  it('tags a grant on a running list and shows a held payment as a refusal', async () => {
    const g = grant({ status: 'approved', approved_fen: 13_000_000 })
    const list: Publicity = {
      id: 4, notice_id: 55, doc_number: '江宁科〔2026〕8号', subject: '公示', working_days: 5, starts_on: '2026-03-09', ends_on: '2026-03-13', contact: '', status: 'open',
      created_at: '', created_by: '', closed_at: null, closed_by: null,
      items: [{ id: 1, publicity_id: 4, grant_id: 7, reward_id: null, enterprise_id: 1, enterprise_name: g.enterprise_name, uscc: g.uscc, program_name_zh: '', amount_fen: 13_000_000, outcome: 'listed', objections: [] }],
    }
    const pays: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'plugin:rent|grants') return [g]
      if (cmd === 'plugin:rent|applications') return []
      if (cmd === 'plugin:policy|budgets') return []
      if (cmd === 'plugin:notice|publicity_list') return [list]
      if (cmd === 'plugin:notice|target_for_grant') return { kind: 'rent_reduction', id: (args as { grant: number }).grant }
      if (cmd === 'plugin:notice|list') return []
      if (cmd === 'plugin:rent|pay') {
        pays.push(args)
        throw { code: 'in_publicity', message: '该事项正在公示（江宁科〔2026〕8号，2026-03-09 至 2026-03-13），公示期满且无异议后才能拨付。', details: { publicity_id: 4, ends_on: '2026-03-13' } }
      }
    })
    const w = mount(RentView, { attachTo: document.body, global: { stubs: { NoticeDialog: true } } })
    await settle()
    expect(q('[data-testid=grant-publicity-7]')?.textContent).toBe('公示中')
    await click('[data-testid=pay-7]')
    expect((q('[data-testid=pay-dialog] input') as HTMLInputElement | null)?.value).toBe('130000.00')
    await click('[data-testid=pay-confirm]')
    expect(pays).toHaveLength(1)
    expect((pays[0] as { date: string }).date).toBe('2026-03-09')
    expect(q('[data-testid=pay-refusal]')?.textContent).toContain('公示期满且无异议后才能拨付')
    expect(q('[data-testid=pay-go-publicity]')?.getAttribute('href')).toBe('#/notice?tab=publicity')
    // Its notice is the one the core says (核减 when less than computed was approved).
    await click('[data-testid=notice-7]')
    expect((w.vm as unknown as { noticeDlg: { target: unknown } }).noticeDlg.target).toEqual({ kind: 'rent_reduction', id: 7 })
    w.unmount()
  })
})

describe('NoticeView and 公示', () => {
  it('opens on the 公示 tab by its address and lists a 公示 document by its subject', async () => {
    const clause = { policy_title: '', policy_doc_number: '', article: 2, version: 1, title_zh: '', quote: '', citation: '', official: false }
    const notice = {
      id: 55, doc_number: '江宁科〔2026〕8号', kind: 'publicity', subject: '关于2026年度高新技术创业企业房租补贴拟支持企业名单的公示', enterprise_id: null, enterprise_name: '', uscc: '',
      grant_id: null, reward_id: null, certification_id: null, publicity_id: 4, template_version: 1, clause, verification: 'abcdefabcdef', sha256: 'f'.repeat(64),
      status: 'issued', void_reason: '', voided_at: null, supersedes: null, superseded_by: null, issued_at: '2026-03-09T02:00:00Z', issued_by: 'tester', size: 58000,
    }
    mockIPC((cmd) => {
      if (cmd === 'plugin:notice|candidates') return []
      if (cmd === 'plugin:notice|list') return [notice]
      if (cmd === 'plugin:notice|register') return []
      if (cmd === 'plugin:notice|publicity_list') return []
    })
    const blank = { template: '<div />' }
    const r = createRouter({ history: createMemoryHistory(), routes: [{ path: '/notice', component: blank }] })
    await r.push('/notice?tab=publicity')
    const w = mount(NoticeView, { attachTo: document.body, global: { plugins: [r], stubs: { NoticeDialog: true } } })
    await settle()
    expect(q('[data-testid=publicity-panel]')).not.toBeNull()
    expect(q('[data-testid=publicity-new]')).not.toBeNull()
    ;([...document.querySelectorAll('.el-tabs__item')].find((e) => e.textContent?.trim() === '发文登记') as HTMLElement).click()
    await settle()
    const row = q('[data-testid=register-table] .el-table__body tr')?.textContent ?? ''
    expect(row).toContain('公示名单')
    expect(row).toContain('关于2026年度高新技术创业企业房租补贴拟支持企业名单的公示')
    expect(row).toContain('拟支持企业名单公示')
    w.unmount()
  })
})
