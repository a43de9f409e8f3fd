import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import RentTimeline from '../src/components/RentTimeline.vue'
import Explanation from '../src/components/Explanation.vue'
import RentView from '../src/views/rent/RentView.vue'
import EnterpriseRent from '../src/views/enterprise/EnterpriseRent.vue'
import { i18n } from '../src/i18n'
import { grant, method1, method2, timeline } from './fixtures/rent'
import { certKinds } from './fixtures/certKinds'
import { loadCertKinds } from '../src/certKinds'

const q = (sel: string) => document.querySelector(sel) as HTMLElement | null
const qa = (sel: string) => [...document.querySelectorAll(sel)] as HTMLElement[]
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

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
  i18n.global.locale.value = 'zh-CN'
})

describe('RentTimeline', () => {
  // The kinds' names come from the core, loaded once for the app (as the enterprise drawer has them).
  beforeAll(async () => {
    mockIPC((cmd) => (cmd === 'plugin:cert|kinds' ? certKinds : undefined))
    await loadCertKinds()
    clearMocks()
  })

  it('draws the stretches, the cuts with their reason and the months used and left', () => {
    const w = mount(RentTimeline, { props: { timeline } })
    expect(w.find('[data-testid=rent-timeline]').exists()).toBe(true)
    const s1 = w.find('[data-testid=timeline-stretch-1]')
    const s2 = w.find('[data-testid=timeline-stretch-2]')
    expect(s1.text()).toBe('#1 · 250.5㎡ · 12个月')
    expect(s2.text()).toBe('#2 · 250.5㎡ · 6个月')
    expect(s1.attributes('data-status')).toBe('approved')
    // Each on its own lease's row.
    expect(w.find('[data-testid=timeline-lease-1] [data-testid=timeline-stretch-1]').exists()).toBe(true)
    expect(w.find('[data-testid=timeline-lease-2] [data-testid=timeline-stretch-2]').exists()).toBe(true)
    // On a 2025–2026 axis: 2025 is the first half, the first half of 2026 the third quarter.
    const style = (el: Element) => (el as HTMLElement).style
    expect(parseFloat(style(s1.element).left)).toBeCloseTo(0, 3)
    expect(parseFloat(style(s1.element).width)).toBeCloseTo((365 / 730) * 100, 3)
    expect(parseFloat(style(s2.element).left)).toBeCloseTo(50, 3)
    // The cut: on lease 2's row, hatched, its reason in Chinese and the grant that covered it.
    const cuts = w.findAll('[data-testid=timeline-lease-2] [data-testid=timeline-cut]')
    expect(cuts).toHaveLength(1)
    expect(cuts[0].text()).toBe('同期已补贴（#1）')
    expect(cuts[0].attributes('data-reason')).toBe('period_already_subsidised')
    expect(w.find('[data-testid=timeline-months-used]').text()).toBe('18')
    expect(w.find('[data-testid=timeline-months-left]').text()).toBe('18')
    expect(w.find('[data-testid=timeline-summary]').text()).toBe('已补贴 18 个月，剩余 18 个月（共36个月）')
    expect(w.find('[data-testid=timeline-young-until]').text()).toContain('2028-02-29')
    expect(w.find('[data-testid=timeline-cert]').text()).toBe('高新技术企业')
    // Nothing a developer would write: no codes in the Chinese text.
    expect(w.text()).not.toMatch(/[a-z]+_[a-z]+/)
    w.unmount()
  })

  it('writes out month fractions, fractional months and every cut reason', () => {
    const tl = {
      ...timeline,
      leases: [{ ...timeline.leases[0], start_on: '2025-03-15', end_on: '2026-03-14' }],
      stretches: [{ ...timeline.stretches[0], start: '2025-03-15', end: '2026-03-14', fractions: '17/31 + 11 + 14/31' }],
      cuts: ['company_too_old', 'not_certified', 'area_cap_reached', 'months_exhausted'].map((reason, i) => ({ ...timeline.cuts[0], grant_id: 1, covered_by: null, reason, start: `2026-0${i + 3}-15`, end: `2026-0${i + 3}-20` })),
      months_used: 11.483870967741936, months_left: 24.516129032258064,
    }
    const w = mount(RentTimeline, { props: { timeline: tl } })
    expect(w.find('[data-testid=timeline-stretch-1]').text()).toBe('#1 · 250.5㎡ · 12个月（17/31 + 11 + 14/31）')
    expect(w.findAll('[data-testid=timeline-cut]').map((c) => c.text())).toEqual(['成立已满年限', '无有效资格', '面积已达上限', '36个月已用完'])
    expect(w.find('[data-testid=timeline-months-used]').text()).toBe('11.48')
    expect(w.find('[data-testid=timeline-months-left]').text()).toBe('24.52')
    w.unmount()
  })

  it('speaks English in English', async () => {
    i18n.global.locale.value = 'en'
    const w = mount(RentTimeline, { props: { timeline } })
    expect(w.find('[data-testid=timeline-cut]').text()).toBe('Already subsidised (#1)')
    expect(w.find('[data-testid=timeline-summary]').text()).toBe('18 months subsidised, 18 left (of 36)')
    w.unmount()
  })

  it('says so when there is nothing to draw', () => {
    const w = mount(RentTimeline, { props: { timeline: { ...timeline, leases: [], stretches: [], cuts: [], months_used: 0, months_left: 36 } } })
    expect(w.text()).toContain('还没有租赁和补贴记录')
    expect(w.find('[data-testid=timeline-months-left]').text()).toBe('36')
    w.unmount()
  })
})

describe('Explanation', () => {
  it('shows the ledger of a calendar-day result: warnings, stretches with fractions, cuts, years', () => {
    const w = mount(Explanation, { props: { result: method2 } })
    const warn = w.findAll('[data-testid=expl-warning]')
    expect(warn).toHaveLength(1)
    expect(warn[0].text()).toContain('申请填写第2年，按台账已补贴月数应为第1年')
    expect(w.find('[data-testid=expl-ledger-line]').text()).toBe('此前已补贴 6 个月 · 本期为第1年 · 剩余 18.52 个月')
    expect(w.find('[data-testid=expl-revenue-years]').text()).toBe('营业收入年度：2024年 → 2025年')
    const stretch = w.findAll('[data-testid=expl-stretch]')
    expect(stretch).toHaveLength(1)
    expect(stretch[0].text()).toContain('2025-03-15 ~ 2026-03-14')
    expect(stretch[0].text()).toContain('12（17/31 + 11 + 14/31）')
    const cuts = w.findAll('[data-testid=expl-cut]')
    expect(cuts).toHaveLength(2)
    expect(cuts[0].text()).toContain('2026-03-15 ~ 2026-03-31')
    expect(cuts[0].text()).toContain('0.55')
    expect(cuts[0].text()).toContain('同期已补贴')
    expect(cuts[0].text()).toContain('由补贴 #1 覆盖')
    expect(cuts[1].text()).toContain('无有效资格')
    expect(cuts[1].find('[data-testid=expl-cut-covered]').exists()).toBe(false)
    expect(w.text()).not.toMatch(/[a-z]+_[a-z]+/)
    w.unmount()
  })

  it('leaves out the year when none was derived', () => {
    const w = mount(Explanation, { props: { result: { ...method2, subsidy_year: null, months_used_before: 36, months_left: 0 } } })
    expect(w.find('[data-testid=expl-ledger-line]').text()).toBe('此前已补贴 36 个月 · 剩余 0 个月')
    w.unmount()
  })

  it('shows a whole-month result as before: nothing new', () => {
    const w = mount(Explanation, { props: { result: method1 } })
    for (const id of ['expl-warning', 'expl-ledger', 'expl-revenue-years', 'expl-stretches', 'expl-cuts']) expect(w.find(`[data-testid=${id}]`).exists()).toBe(false)
    expect(w.findAll('[data-testid=expl-step]')).toHaveLength(2)
    expect(w.find('[data-testid=expl-amount]').text()).toBe('135,270.00 元')
    // The root holds the head, the steps and nothing else.
    expect(w.find('[data-testid=explanation]').element.children).toHaveLength(2)
    w.unmount()
  })
})

describe('RentView approve', () => {
  function setup() {
    const calls: { cmd: string; args: Record<string, unknown> }[] = []
    const g = grant()
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> })
      if (cmd === 'plugin:rent|grants') return [g]
      if (cmd === 'plugin:cert|kinds') return certKinds
      if (cmd === 'plugin:rent|applications') return []
      if (cmd === 'plugin:policy|budgets') return []
      if (cmd === 'plugin:rent|approve') {
        const a = args as { amount: number; reason: string | null }
        if (a.amount < g.computed_fen && !a.reason) throw { code: 'reason_required', message: '请填写核减理由。', details: { field: 'reason' } }
        return { ...g, status: 'approved', approved_fen: a.amount, reason: a.reason ?? '' }
      }
    })
    const w = mount(RentView, { attachTo: document.body, global: { stubs: { NoticeDialog: true } } })
    return { w, calls, approves: () => calls.filter((c) => c.cmd === 'plugin:rent|approve').map((c) => c.args) }
  }

  it('asks for the reason of a lower amount in the same box, refuses without it, passes it', async () => {
    const { w, approves } = setup()
    await settle()
    expect(q('[data-testid=grant-months-7]')?.textContent).toBe('11.48')
    expect(q('[data-testid=grant-warning-7]')?.textContent).toBe('有提示')
    await click('[data-testid=approve-7]')
    expect(q('.el-message-box')?.textContent).toContain('测算金额为 135,270.00 元')
    expect((q('[data-testid=approve-amount]') as HTMLInputElement).value).toBe('135270.00')
    // The full amount needs no reason: no reason field.
    expect(q('[data-testid=approve-reason]')).toBeNull()
    await type('[data-testid=approve-amount]', '100000')
    expect(q('[data-testid=approve-reason]')).not.toBeNull()
    expect(q('[data-testid=approve-cut-by]')?.textContent).toBe('核减 35,270.00 元')
    // Without a reason: refused in the box, nothing sent.
    await click('.el-message-box__btns .el-button--primary')
    expect(q('[data-testid=approve-reason-error]')?.textContent).toBe('批准金额低于测算金额，请填写核减理由。')
    expect(q('.el-message-box')).not.toBeNull()
    expect(approves()).toHaveLength(0)
    await type('[data-testid=approve-reason]', '部分面积用于仓储，按实际办公面积核减')
    await click('.el-message-box__btns .el-button--primary')
    await settle()
    expect(approves()).toEqual([{ id: 7, amount: 10000000, reason: '部分面积用于仓储，按实际办公面积核减', confirm: false }])
    w.unmount()
  })

  it('approves the computed amount without a reason', async () => {
    const { w, approves } = setup()
    await settle()
    await click('[data-testid=approve-7]')
    await click('.el-message-box__btns .el-button--primary')
    await settle()
    expect(approves()).toEqual([{ id: 7, amount: 13527000, reason: null, confirm: false }])
    w.unmount()
  })

  it('refuses an amount above the computed one', async () => {
    const { w, approves } = setup()
    await settle()
    await click('[data-testid=approve-7]')
    await type('[data-testid=approve-amount]', '200000')
    await click('.el-message-box__btns .el-button--primary')
    expect(q('[data-testid=approve-amount-error]')?.textContent).toContain('135,270.00')
    expect(approves()).toHaveLength(0)
    w.unmount()
  })
})

describe('EnterpriseRent application form', () => {
  const lease = { id: 3, enterprise_id: 1, address: '南京市江宁区秣周东路9号', area_centi_m2: 25050, unit_rent_fen: 4500, start_on: '2025-03-15', end_on: '2026-03-14', annual_rent_fen: null, source: 'manual' }
  function setup(growth: { year: number; revenue_fen: number }[]) {
    const calls: { cmd: string; args: Record<string, unknown> }[] = []
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> })
      if (cmd === 'plugin:rent|leases') return [lease]
      if (cmd === 'plugin:cert|kinds') return certKinds
      if (cmd === 'plugin:rent|growth') return growth.map((g) => ({ enterprise_id: 1, rd_fen: null, staff: null, ...g }))
      if (cmd === 'plugin:rent|applications') return []
      if (cmd === 'plugin:rent|grants') return []
      if (cmd === 'plugin:rent|timeline') return { ...timeline, leases: [lease], stretches: [], cuts: [], months_used: 0, months_left: 36 }
      if (cmd === 'plugin:rent|application_add') return { id: 5, enterprise_id: 1, enterprise_name: '', uscc: '', lease, subsidy_year: 1, period_start: '2025-03-15', period_end: '2026-03-14', revenue_prev_fen: null, revenue_curr_fen: null, requested_fen: null, source: 'manual', batch_id: null, grant_id: null }
      if (cmd === 'plugin:rent|draft') return [grant()]
    })
    const w = mount(EnterpriseRent, { props: { enterpriseId: 1 }, attachTo: document.body })
    return { w, calls, added: () => calls.filter((c) => c.cmd === 'plugin:rent|application_add').map((c) => c.args.input as Record<string, unknown>) }
  }

  it('takes this year as the period start’s year (Y) and last year as Y−1, prefilled from growth', async () => {
    const { w, added, calls } = setup([{ year: 2023, revenue_fen: 50_000_000 }, { year: 2024, revenue_fen: 100_000_000 }, { year: 2025, revenue_fen: 140_000_000 }])
    await settle()
    expect(calls.some((c) => c.cmd === 'plugin:rent|timeline' && c.args.enterprise === 1)).toBe(true)
    expect(q('[data-testid=rent-timeline]')).not.toBeNull()
    await click('[data-testid=apply-3]')
    // The period is the lease's own, from the 15th.
    expect((q('[data-testid=app-from]') as HTMLInputElement).value).toBe('2025-03-15')
    expect((q('[data-testid=app-to]') as HTMLInputElement).value).toBe('2026-03-14')
    expect(q('[data-testid=app-revenue-curr-item]')?.textContent).toContain('2025年营业收入（本年）')
    expect(q('[data-testid=app-revenue-prev-item]')?.textContent).toContain('2024年营业收入（上年）')
    expect((q('[data-testid=app-revenue-curr]') as HTMLInputElement).value).toBe('1400000.00')
    expect((q('[data-testid=app-revenue-prev]') as HTMLInputElement).value).toBe('1000000.00')
    await click('[data-testid=app-save]')
    expect(added()).toEqual([{ lease_id: 3, subsidy_year: 1, period_start: '2025-03-15', period_end: '2026-03-14', revenue_prev_fen: 100_000_000, revenue_curr_fen: 140_000_000, requested_fen: undefined }])
    w.unmount()
  })

  it('follows another start year and takes typed revenue', async () => {
    const { w, added } = setup([{ year: 2025, revenue_fen: 140_000_000 }])
    await settle()
    await click('[data-testid=apply-3]')
    await type('[data-testid=app-from]', '2026-01-01')
    expect(q('[data-testid=app-revenue-curr-item]')?.textContent).toContain('2026年营业收入（本年）')
    expect((q('[data-testid=app-revenue-prev]') as HTMLInputElement).value).toBe('1400000.00')
    expect((q('[data-testid=app-revenue-curr]') as HTMLInputElement).value).toBe('')
    await type('[data-testid=app-revenue-curr]', '1,960,000')
    await click('[data-testid=app-save]')
    expect(added()[0]).toMatchObject({ period_start: '2026-01-01', revenue_prev_fen: 140_000_000, revenue_curr_fen: 196_000_000 })
    w.unmount()
  })
})
