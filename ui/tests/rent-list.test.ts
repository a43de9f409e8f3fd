import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import RentView from '../src/views/rent/RentView.vue'
import { byComputed, byName, counts, filterRows, parksOf, reasonOf, standing, type Row } from '../src/views/rent/list'
import type { Application } from '../src/bindings/Application'
import { grant, method1 } from './fixtures/rent'

const refused = (code: string, zh: string, en: string) => ({ ...method1, eligible: false, amount_fen: 0, reasons: [{ code, message_zh: zh, message_en: en }] })
const g = (id: number, over: Parameters<typeof grant>[0]): Row => ({ key: 'g' + id, kind: 'grant', grant: grant({ id, ...over }) })
const app = (id: number, name: string, uscc: string, park: string | null): Row => ({
  key: 'a' + id,
  kind: 'application',
  app: { id, enterprise_id: 100 + id, enterprise_name: name, uscc, park, subsidy_year: 1, period_start: '2026-01-01', period_end: '2026-12-31', requested_fen: 500000 } as unknown as Application,
})

const rows: Row[] = [
  g(1, { enterprise_name: '南京甲乙科技有限公司', uscc: '914403001922038216', park: '江宁开发区', explanation: method1, computed_fen: 13527000 }),
  g(2, {
    enterprise_name: '南京丙丁信息技术有限公司',
    uscc: '91320114MA1XYZ0001',
    park: '麒麟科技创新园',
    computed_fen: 0,
    explanation: refused('founded_on_missing', '缺少企业成立日期，无法判断是否为创业企业。请在企业台账中补充。', 'The founding date is missing.'),
  }),
  g(3, {
    enterprise_name: '江苏戊己智能科技有限公司',
    uscc: '91320100MA1ABC0002',
    park: '江宁开发区',
    computed_fen: 0,
    status: 'rejected',
    explanation: refused('negative_growth', '营业收入下降，不予补贴。', 'Revenue fell, not eligible.'),
  }),
  g(4, { enterprise_name: '南京庚辛生物医药有限公司', uscc: '91320100MA1DEF0003', park: null, computed_fen: 0, explanation: refused('not_certified', '补贴期间没有有效的高新技术企业或科技型中小企业资格。', 'No valid status.') }),
  app(5, '南京壬癸软件有限公司', '91320100MA1GHI0004', '麒麟科技创新园'),
]

describe('the rent list as a worklist', () => {
  it('sorts every row into 可补贴, 缺资料 (what data can cure), 不可补贴 and 待测算', () => {
    expect(rows.map(standing)).toEqual(['payable', 'missing', 'not_payable', 'missing', 'pending'])
    expect(counts(rows)).toEqual({ payable: 1, missing: 2, not_payable: 1, pending: 1 })
  })

  it('says why a row pays nothing, in the language shown, and nothing for a payable one', () => {
    expect(reasonOf(rows[0], 'zh-CN')).toBe('')
    expect(reasonOf(rows[1], 'zh-CN')).toContain('缺少企业成立日期')
    expect(reasonOf(rows[1], 'en')).toBe('The founding date is missing.')
    expect(reasonOf(rows[2], 'zh-CN')).toContain('营业收入下降')
    expect(reasonOf(rows[4], 'zh-CN')).toBe('')
  })

  it('finds rows by a part of the name or of the code (case and spaces ignored)', () => {
    const keys = (q: string) => filterRows(rows, { q, standing: '', status: '', park: '' }).map((r) => r.key)
    expect(keys('丙丁')).toEqual(['g2'])
    expect(keys('ma1 abc')).toEqual(['g3'])
    expect(keys('91320100')).toEqual(['g3', 'g4', 'a5'])
    expect(keys('  ')).toHaveLength(5)
    expect(keys('没有这家')).toEqual([])
  })

  it('filters by standing, status and park, together with the search', () => {
    const keys = (f: Partial<Parameters<typeof filterRows>[1]>) => filterRows(rows, { q: '', standing: '', status: '', park: '', ...f }).map((r) => r.key)
    expect(keys({ standing: 'missing' })).toEqual(['g2', 'g4'])
    expect(keys({ standing: 'missing', park: '麒麟科技创新园' })).toEqual(['g2'])
    expect(keys({ park: '麒麟科技创新园' })).toEqual(['g2', 'a5'])
    expect(keys({ status: 'pending' })).toEqual(['a5'])
    expect(keys({ status: 'rejected' })).toEqual(['g3'])
    expect(keys({ status: 'draft', q: '南京' })).toEqual(['g1', 'g2', 'g4'])
    expect(parksOf(rows)).toEqual(['江宁开发区', '麒麟科技创新园'].sort((a, b) => a.localeCompare(b, 'zh-CN')))
  })

  it('sorts by name as Chinese text and by amount as a number', () => {
    // 江 (jiāng) before 南 (nán): pinyin order, not code-point order (南 U+5357 < 江 U+6C5F).
    expect([...rows].sort(byName)[0].key).toBe('g3')
    expect([...rows].sort(byComputed).map((r) => r.key)[rows.length - 1]).toBe('g1')
    // An application has no computed amount yet: it sorts below every grant.
    expect([...rows].sort(byComputed)[0].key).toBe('a5')
  })
})

describe('RentView as a worklist', () => {
  const q = (sel: string) => document.querySelector(sel) as HTMLElement | null
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const settle = async () => {
    await flushPromises()
    await wait(60)
    await flushPromises()
  }
  afterEach(() => {
    clearMocks()
    document.body.innerHTML = ''
  })

  it('shows why a grant pays nothing, finds by name or code, and works through the 缺资料 queue', async () => {
    const gs = rows.filter((r) => r.grant).map((r) => r.grant)
    mockIPC((cmd) => {
      if (cmd === 'plugin:rent|grants') return gs
      if (cmd === 'plugin:rent|applications') return []
      if (cmd === 'plugin:policy|budgets') return []
      if (cmd === 'plugin:cert|kinds') return []
      return null
    })
    const w = mount(RentView, { attachTo: document.body, global: { stubs: { NoticeDialog: true } } })
    await settle()
    expect(q('[data-testid=rent-count]')?.textContent).toBe('共 4 条')
    expect(q('[data-testid=grant-reason-2]')?.textContent).toContain('缺少企业成立日期')
    expect(q('[data-testid=grant-reason-3]')?.textContent).toContain('营业收入下降')
    expect(q('[data-testid=grant-reason-1]')).toBeNull()
    // Only the rows data can cure have 补充资料.
    expect(q('[data-testid=fill-in-2]')).not.toBeNull()
    expect(q('[data-testid=fill-in-3]')).toBeNull()
    // The queue: 缺资料 2, and the list narrows to them.
    expect(q('[data-testid=rent-missing-queue]')?.textContent).toContain('缺资料 2')
    q('[data-testid=rent-missing-queue]')!.click()
    await settle()
    expect(q('[data-testid=rent-count]')?.textContent).toBe('共 2 条')
    expect(q('[data-testid=grant-reason-3]')).toBeNull()
    // Search by a part of the code within the queue.
    const box = q('[data-testid=rent-search]')!
    const input = (box.tagName === 'INPUT' ? box : box.querySelector('input')) as HTMLInputElement
    input.value = 'ma1def'
    input.dispatchEvent(new Event('input'))
    await settle()
    expect(q('[data-testid=rent-count]')?.textContent).toBe('共 1 条')
    expect(q('[data-testid=grant-reason-4]')?.textContent).toContain('高新技术企业')
    w.unmount()
  })
})
