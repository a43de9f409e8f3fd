import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import CertView from '../src/views/cert/CertView.vue'
import ProgramBudgets from '../src/views/settings/ProgramBudgets.vue'
import { i18n } from '../src/i18n'

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
async function clickText(sel: string, text: string) {
  const el = [...document.querySelectorAll(sel)].find((e) => e.textContent?.trim() === text) as HTMLElement | undefined
  if (!el) throw new Error(`no ${sel} “${text}”`)
  el.click()
  await settle()
}

const program = (code: string, name_zh: string, over: Record<string, unknown> = {}) => ({
  id: code.length, code, name_zh, name_en: code, kind: 'reward', article: 1, cap_fen: 500_000_000, default_amount_fen: null, cert_kind: null, stacking_group: null, allow_stacking: false, active: true, ...over,
})
const programs = [
  program('rent_subsidy', '高新技术创业企业房租补贴', { id: 1, kind: 'rent_subsidy', article: 2, cap_fen: null }),
  program('innovation_consortium', '创新联合体奖励', { id: 2 }),
  program('tech_innovation_demo', '国家技术创新示范企业奖励', { id: 3, cap_fen: 200_000_000, default_amount_fen: 200_000_000, cert_kind: 'tech_innovation_demo', stacking_group: 'national_title' }),
  program('generic_tech_platform', '新型共性技术平台奖励', { id: 4, article: 5 }),
  program('software_revenue_100m', '软件企业营业收入首次突破1亿元奖励', { id: 5, article: 6, cap_fen: null, cert_kind: 'software_revenue_100m' }),
  program('two_way_incubation', '“双向孵化”奖励', { id: 6, article: 14, cap_fen: 100_000_000 }),
]
const budget = (p: (typeof programs)[number], inherited_from: number | null) => ({
  program_id: p.id, program_code: p.code, program_name_zh: p.name_zh, year: 2026, allocated_fen: 1_000_000_000, approved_fen: 0, disbursed_fen: 0, remaining_fen: 1_000_000_000, inherited_from,
})

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
  i18n.global.locale.value = 'zh-CN'
})

describe('ProgramBudgets', () => {
  it('sets a title program’s amount within its cap; a performance program has none; 沿用 marks an inherited budget', async () => {
    const sets: Record<string, unknown>[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'plugin:policy|programs') return programs
      if (cmd === 'plugin:policy|budgets') return programs.map((p) => budget(p, p.code === 'rent_subsidy' ? null : 2025))
      if (cmd === 'plugin:policy|program_amount_set') {
        sets.push(args as Record<string, unknown>)
        const a = args as { code: string; amount: number | null }
        return { ...programs.find((p) => p.code === a.code), default_amount_fen: a.amount }
      }
    })
    const w = mount(ProgramBudgets, { attachTo: document.body })
    await settle()
    expect(q('[data-testid=program-amount-software_revenue_100m]')?.textContent?.trim()).toBe('未设置')
    expect(q('[data-testid=program-amount-tech_innovation_demo]')?.textContent?.trim()).toBe('2,000,000.00')
    expect(q('[data-testid=program-amount-innovation_consortium]')).toBeNull()
    expect(document.body.textContent).toContain('按评审确定')
    expect(q('[data-testid=budget-inherited-innovation_consortium]')?.textContent).toBe('沿用2025年')
    expect(q('[data-testid=budget-inherited-rent_subsidy]')).toBeNull()
    // Above the cap: said, not sent.
    await click('[data-testid=program-amount-edit-tech_innovation_demo]')
    await type('[data-testid=program-amount-input-tech_innovation_demo]', '3000000')
    await click('[data-testid=program-amount-save-tech_innovation_demo]')
    expect(q('[data-testid=program-amount-error-tech_innovation_demo]')?.textContent).toBe('不能超过条款上限 2,000,000.00 元。')
    expect(sets).toHaveLength(0)
    // The software reward: set by the district.
    await click('[data-testid=program-amount-edit-software_revenue_100m]')
    await type('[data-testid=program-amount-input-software_revenue_100m]', '500000')
    await click('[data-testid=program-amount-save-software_revenue_100m]')
    expect(sets).toEqual([{ code: 'software_revenue_100m', amount: 50_000_000 }])
    expect(q('[data-testid=program-amount-software_revenue_100m]')?.textContent?.trim()).toBe('500,000.00')
    w.unmount()
  })
})

describe('CertView rewards', () => {
  const reward = (over: Record<string, unknown>) => ({
    id: 9, enterprise_id: 1, enterprise_name: '南京甲乙科技有限公司', uscc: '914403001922038216', certification_id: null, cert_kind: '', certificate_no: '', issued_on: '',
    program_id: 2, program_code: 'innovation_consortium', program_name_zh: '创新联合体奖励', article: 1, amount_fen: 100_000_000, cap_fen: 500_000_000, approved_fen: null, paid_fen: 0,
    status: 'draft', reason: '', budget_year: 2026, over_budget: false, clause: { article: 1, version: 1 }, steps: [], basis: 'performance', tops_up: null, note: '评审得分92分，排名第一',
    created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z', ...over,
  })
  const proposal = {
    certification_id: 21, program_id: 3, program_code: 'tech_innovation_demo', program_name_zh: '国家技术创新示范企业奖励', article: 1, enterprise_id: 1, enterprise_name: '南京甲乙科技有限公司',
    uscc: '914403001922038216', cert_kind: 'tech_innovation_demo', certificate_no: 'A-1', issued_on: '2026-01-10', amount_fen: 150_000_000, cap_fen: 200_000_000, basis: 'top_up',
    full_amount_fen: 200_000_000, already_fen: 50_000_000, tops_up: 4, steps: [],
  }
  function setup() {
    const calls: { cmd: string; args: Record<string, unknown> }[] = []
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> })
      if (cmd === 'plugin:cert|kinds' || cmd === 'plugin:cert|list' || cmd === 'plugin:cert|reminders') return []
      if (cmd === 'plugin:cert|rewards') return [reward({}), reward({ id: 10, basis: 'top_up', tops_up: 4, note: '', status: 'approved', approved_fen: 150_000_000, cert_kind: 'tech_innovation_demo', certification_id: 21 })]
      if (cmd === 'plugin:cert|reward_scan') return { proposals: [proposal], excluded: [], total_fen: proposal.amount_fen }
      if (cmd === 'plugin:cert|reward_approve') return reward({ status: 'approved', approved_fen: (args as { amount: number }).amount })
      if (cmd === 'plugin:policy|programs') return programs
      if (cmd === 'plugin:enterprise|search') return { total: 1, more: false, offset: 0, rows: [{ id: 1, uscc: '914403001922038216', name: '南京甲乙科技有限公司' }] }
      if (cmd === 'plugin:notice|target_for_reward') return { kind: 'reward_top_up', id: (args as { reward: number }).reward }
      if (cmd === 'plugin:notice|list') return []
      if (cmd === 'plugin:cert|reward_add') {
        const a = args as { amount: number; note: string }
        return reward({ amount_fen: a.amount, note: a.note })
      }
    })
    const w = mount(CertView, { attachTo: document.body, global: { stubs: { NoticeDialog: true } } })
    return { w, calls, of: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args) }
  }

  it('shows each reward’s basis and note, and approves a lower amount only with its reason', async () => {
    const { w, of } = setup()
    await settle()
    await clickText('.el-tabs__item', '奖励（免申即享）')
    expect(q('[data-testid=reward-basis-9]')?.textContent).toBe('绩效')
    expect(q('[data-testid=reward-note-9]')?.textContent).toBe('评审得分92分，排名第一')
    expect(q('[data-testid=reward-basis-10]')?.textContent).toBe('补差')
    expect(q('[data-testid=reward-approve-10]')).toBeNull()
    await click('[data-testid=reward-approve-9]')
    expect(q('.el-message-box')?.textContent).toContain('拟奖励金额为 1,000,000.00 元')
    await type('[data-testid=approve-amount]', '800000')
    await click('.el-message-box__btns .el-button--primary')
    expect(q('[data-testid=approve-reason-error]')?.textContent).toBe('批准金额低于拟奖励金额，请填写理由。')
    expect(of('plugin:cert|reward_approve')).toHaveLength(0)
    await type('[data-testid=approve-reason]', '联合体成员有一家未按期完成')
    await click('.el-message-box__btns .el-button--primary')
    await settle()
    expect(of('plugin:cert|reward_approve')).toEqual([{ id: 9, amount: 80_000_000, reason: '联合体成员有一家未按期完成', confirm: false }])
    w.unmount()
  })

  it('asks the core which notice a reward gets (a 补差 has its own)', async () => {
    const { w, of } = setup()
    await settle()
    await clickText('.el-tabs__item', '奖励（免申即享）')
    await click('[data-testid=reward-notice-10]')
    expect(of('plugin:notice|target_for_reward')).toEqual([{ reward: 10 }])
    expect(of('plugin:notice|list')).toEqual([{ enterprise: 1, q: null }])
    expect((w.vm as unknown as { noticeDlg: { open: boolean; target: unknown } }).noticeDlg).toMatchObject({ open: true, target: { kind: 'reward_top_up', id: 10 } })
    w.unmount()
  })

  it('shows a scan’s 补差 with what was already given', async () => {
    const { w } = setup()
    await settle()
    await clickText('.el-tabs__item', '奖励（免申即享）')
    await click('[data-testid=reward-scan]')
    expect(q('[data-testid=proposal-basis]')?.textContent).toBe('补差')
    expect(q('[data-testid=proposal-topup]')?.textContent).toBe('已获 500,000.00 元，补差 1,500,000.00 元')
    w.unmount()
  })

  it('adds a performance-based reward within the cap, with its scoring note', async () => {
    const { w, of } = setup()
    await settle()
    await clickText('.el-tabs__item', '奖励（免申即享）')
    await click('[data-testid=reward-performance]')
    expect(q('[data-testid=performance-dialog]')).not.toBeNull()
    // Only the performance-based programs are offered.
    ;(q('[data-testid=perf-program]')?.closest('.el-select')?.querySelector('.el-select__wrapper') as HTMLElement).click()
    await settle()
    const offered = [...document.querySelectorAll('.el-select-dropdown__item')].map((e) => e.textContent?.trim())
    expect(offered).toEqual(['创新联合体奖励', '新型共性技术平台奖励', '“双向孵化”奖励'])
    await clickText('.el-select-dropdown__item', '“双向孵化”奖励')
    expect(q('[data-testid=perf-cap]')?.textContent).toBe('条款上限 1,000,000.00 元')
    ;(w.vm as unknown as { perf: { uscc: string } }).perf.uscc = '914403001922038216'
    await type('[data-testid=perf-amount]', '1200000')
    await click('[data-testid=perf-save]')
    // (a form item shows its error after a short debounce)
    await wait(200)
    expect(document.body.textContent).toContain('金额不能超过条款上限 1,000,000.00 元。')
    expect(document.body.textContent).toContain('请填写评审说明。')
    expect(of('plugin:cert|reward_add')).toHaveLength(0)
    await type('[data-testid=perf-amount]', '800000')
    await type('[data-testid=perf-note]', '评审得分88分')
    await click('[data-testid=perf-save]')
    expect(of('plugin:cert|reward_add')).toEqual([{ program: 'two_way_incubation', uscc: '914403001922038216', amount: 80_000_000, note: '评审得分88分' }])
    w.unmount()
  })
})
