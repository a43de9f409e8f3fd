// What notices need from the office: the settings form's new groups (district rule, remedies,
// 版记, 公示) with field errors from the core, the official clause texts, and the dashboard's
// warning while any of them is missing.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { createMemoryHistory, createRouter } from 'vue-router'
import SettingsView from '../src/views/settings/SettingsView.vue'
import PolicyClauses from '../src/views/settings/PolicyClauses.vue'
import DashboardView from '../src/views/dashboard/DashboardView.vue'
import { certKinds } from './fixtures/certKinds'

// ECharts draws on a canvas jsdom does not have: the charts are stubs here.
vi.mock('echarts/core', () => ({ use: () => {}, init: () => ({ setOption() {}, dispose() {}, resize() {} }) }))
vi.mock('echarts/charts', () => ({ BarChart: {}, PieChart: {} }))
vi.mock('echarts/components', () => ({ GridComponent: {}, TooltipComponent: {}, LegendComponent: {}, TitleComponent: {} }))
vi.mock('echarts/renderers', () => ({ CanvasRenderer: {} }))

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
/** The error Element Plus shows under the form item holding `sel`. */
const fieldError = (sel: string) => q(sel)?.closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent?.trim() ?? ''

function router() {
  const blank = { template: '<div />' }
  return createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: blank }, { path: '/dashboard', component: blank }, { path: '/settings', component: blank }] })
}

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

const office = {
  district_name: '江宁区', district_code: '320115', authority: '南京市江宁区科学技术局', doc_prefix: '江宁科', signer: '南京市江宁区科学技术局', user_name: '',
  rule_name: '', rule_doc_number: '', review_body: '南京市江宁区人民政府（示例）', court: '', cc: '', printer: '', publicity_contact: '', publicity_days: 5,
}

describe('SettingsView 单位信息', () => {
  it('saves the rule, remedies, 版记 and 公示 fields and shows a refusal next to its field', async () => {
    const saved: Record<string, unknown>[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'plugin:system|office_get') return office
      if (cmd === 'plugin:enterprise|sectors') return []
      if (cmd === 'plugin:cert|kinds') return certKinds
      if (cmd === 'plugin:system|office_save') {
        const o = (args as { office: typeof office }).office
        saved.push(o)
        if (o.court.length < 4) throw { code: 'too_short', message: '请填写法院的全称。', details: { field: 'court' } }
        return o
      }
    })
    const r = router()
    await r.push('/settings')
    const w = mount(SettingsView, { attachTo: document.body, global: { plugins: [r], stubs: { BackupPanel: true } } })
    await settle()
    // Grouped, with the demo's sample value said to be one.
    expect(q('[data-testid=office-group-basis]')?.textContent).toContain('公文依据与救济途径')
    expect(q('[data-testid=office-group-imprint]')?.textContent).toContain('版记')
    expect(q('[data-testid=office-group-publicity]')?.textContent).toContain('公示')
    expect(q('[data-testid=office-review-body-sample]')?.textContent).toContain('示例值')
    expect(q('[data-testid=office-court-sample]')).toBeNull()
    await type('[data-testid=office-rule-name]', '江宁区高新技术创业企业房租补贴实施细则')
    await type('[data-testid=office-rule-doc-number]', '江宁科规〔2025〕1号')
    await type('[data-testid=office-review-body]', '南京市江宁区人民政府')
    await type('[data-testid=office-court]', '法院')
    await type('[data-testid=office-cc]', '区财政局')
    await type('[data-testid=office-printer]', '南京市江宁区科学技术局办公室')
    await type('[data-testid=office-publicity-contact]', '区科技局产业科，电话025-52100000')
    await type('[data-testid=office-publicity-days] input', '7')
    ;(q('[data-testid=office-publicity-days] input') as HTMLInputElement).dispatchEvent(new Event('change'))
    await settle()
    expect(q('[data-testid=office-review-body-sample]')).toBeNull()
    await click('[data-testid=office-save]')
    await wait(200)
    expect(saved).toHaveLength(1)
    expect(saved[0]).toMatchObject({
      rule_name: '江宁区高新技术创业企业房租补贴实施细则', rule_doc_number: '江宁科规〔2025〕1号', review_body: '南京市江宁区人民政府', court: '法院',
      cc: '区财政局', printer: '南京市江宁区科学技术局办公室', publicity_contact: '区科技局产业科，电话025-52100000', publicity_days: 7,
    })
    expect(fieldError('[data-testid=office-court]')).toBe('请填写法院的全称。')
    expect(fieldError('[data-testid=office-rule-name]')).toBe('')
    await type('[data-testid=office-court]', '南京市江宁区人民法院')
    await click('[data-testid=office-save]')
    await wait(200)
    expect(saved).toHaveLength(2)
    expect(fieldError('[data-testid=office-court]')).toBe('')
    w.unmount()
  })

  it('marks the setting a refused notice named (?tab=office&field=…)', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:system|office_get') return office
      if (cmd === 'plugin:enterprise|sectors') return []
      if (cmd === 'plugin:cert|kinds') return certKinds
    })
    const r = router()
    await r.push('/settings?tab=office&field=rule_doc_number')
    const w = mount(SettingsView, { attachTo: document.body, global: { plugins: [r], stubs: { BackupPanel: true } } })
    await settle()
    await wait(200)
    expect(fieldError('[data-testid=office-rule-doc-number]')).toBe('出具公文需要填写此项。')
    w.unmount()
  })
})

describe('PolicyClauses 正式文本', () => {
  const clause = (article: number, over: Record<string, unknown> = {}) => ({
    id: article * 10, article, version: 1, chapter: 1, title_zh: article === 2 ? '培育壮大科技企业队伍' : '支持企业获评国家级称号', title_en: 'Clause ' + article,
    text_zh: '（回译）支持科技企业……', text_en: 'Support …', note: '', current: true, created_at: '2026-01-05T02:00:00Z', created_by: 'seed', official_zh: '', ...over,
  })
  const listing = (c: ReturnType<typeof clause>) => ({ ...c, official_by: null, official_at: null })

  it('lists the cited clauses without official text and saves a pasted text with clause_official', async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = []
    let entered = false
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> })
      if (cmd === 'plugin:policy|info') return { id: 1, title_zh: '关于深入推进引领性国家创新型城市建设的若干政策意见', title_en: '', doc_number: '宁委发〔2022〕1号', issuer_zh: '中共南京市委', issuer_en: '' }
      if (cmd === 'plugin:policy|clauses') return [entered ? clause(2, { version: 2, official_zh: '大力培育科技企业。', created_by: '王科长' }) : clause(2), clause(7, { version: 2, official_zh: '对首次获评的企业给予奖励。', created_by: '李四' })]
      if (cmd === 'plugin:policy|clauses_missing') return entered ? [] : [listing(clause(2))]
      if (cmd === 'plugin:policy|clause_versions') return [clause(2)]
      if (cmd === 'plugin:policy|clause_official') {
        const a = args as { article: number; text: string }
        if (!/[\u4e00-\u9fff]/.test(a.text)) throw { code: 'not_chinese', message: '正式文本应为中文（从正式印发的文件中复制）。', details: { field: 'official_zh' } }
        entered = true
        return clause(2, { version: 2, official_zh: a.text, created_by: '王科长' })
      }
    })
    const w = mount(PolicyClauses, { attachTo: document.body })
    await settle()
    expect(q('[data-testid=clauses-missing-banner]')?.textContent).toContain('不加引文')
    expect(q('[data-testid=clauses-missing-2]')?.textContent?.trim()).toBe('第2条 培育壮大科技企业队伍')
    expect(q('[data-testid=clause-official-2]')?.textContent?.trim()).toBe('未录入')
    expect(q('[data-testid=clause-official-7]')?.textContent).toContain('已录入')
    expect(q('[data-testid=clause-official-7]')?.textContent).toContain('李四')

    await click('[data-testid=clause-edit-2]')
    expect(q('[data-testid=clause-official-hint]')?.textContent).toContain('公文只引用条号')
    // Pasted English: refused, next to the field.
    await type('[data-testid=clause-official-input]', 'Support science and technology enterprises.')
    await click('[data-testid=clause-save]')
    await wait(200)
    expect(fieldError('[data-testid=clause-official-input]')).toBe('正式文本应为中文（从正式印发的文件中复制）。')
    await type('[data-testid=clause-official-input]', '大力培育科技企业。')
    await click('[data-testid=clause-save]')
    const official = calls.filter((c) => c.cmd === 'plugin:policy|clause_official').map((c) => c.args)
    expect(official).toEqual([
      { article: 2, text: 'Support science and technology enterprises.' },
      { article: 2, text: '大力培育科技企业。' },
    ])
    // Only the official text changed: no other version is made.
    expect(calls.filter((c) => c.cmd === 'plugin:policy|clause_edit')).toHaveLength(0)
    expect(q('[data-testid=clauses-missing-banner]')).toBeNull()
    expect(q('[data-testid=clause-official-2]')?.textContent).toContain('王科长')
    w.unmount()
  })

  it('shows one language at a time: the official text, else the Chinese marked 译文, else says there is none', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:policy|info') return { id: 1, title_zh: '若干政策意见', title_en: '', doc_number: '宁委发〔2022〕1号', issuer_zh: '中共南京市委', issuer_en: '' }
      if (cmd === 'plugin:policy|clauses')
        return [clause(2, { official_zh: '大力培育科技企业。' }), clause(7), clause(8, { text_zh: '', text_en: 'Build a comprehensive national science centre.' })]
      if (cmd === 'plugin:policy|clauses_missing') return []
      return []
    })
    const w = mount(PolicyClauses, { attachTo: document.body })
    await settle()
    expect(q('[data-testid=clause-text-2]')?.textContent?.trim()).toBe('大力培育科技企业。')
    expect(q('[data-testid=clause-text-7]')?.textContent).toContain('译文')
    expect(q('[data-testid=clause-text-7]')?.textContent).toContain('（回译）支持科技企业')
    expect(q('[data-testid=clause-text-8]')?.textContent).toContain('尚无中文条文')
    expect(q('[data-testid=clause-table]')?.textContent).not.toContain('Build a comprehensive')
    w.unmount()
  })
})

describe('DashboardView', () => {
  const dashboard = (over: Record<string, unknown>) => ({
    year: 2026, enterprises: 51, programs: [], reminders: [], overdue_count: 0, by_park: [], by_sector: [], clauses_without_official_text: [], missing_settings: [], ...over,
  })

  it('warns about clauses without official text and missing settings, naming them, and links to settings', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:dashboard|load') return dashboard({ clauses_without_official_text: [2, 7], missing_settings: ['rule_name', 'court'] })
      if (cmd === 'plugin:policy|clauses_missing')
        return [
          { article: 2, title_zh: '培育壮大科技企业队伍', title_en: '', text_zh: '', text_en: '', version: 1, chapter: 1, official_zh: '', official_by: null, official_at: null },
          { article: 7, title_zh: '支持企业获评国家级称号', title_en: '', text_zh: '', text_en: '', version: 1, chapter: 1, official_zh: '', official_by: null, official_at: null },
        ]
    })
    const r = router()
    await r.push('/dashboard')
    const w = mount(DashboardView, { attachTo: document.body, global: { plugins: [r] } })
    await settle()
    expect(q('[data-testid=dash-notice-warning]')).not.toBeNull()
    expect(q('[data-testid=dash-clauses-missing]')?.textContent).toContain('第2条 培育壮大科技企业队伍、第7条 支持企业获评国家级称号 尚未录入正式文本')
    expect(q('[data-testid=dash-settings-missing]')?.textContent).toContain('单位信息中缺少：区级补贴细则名称、行政诉讼管辖法院。')
    await click('[data-testid=dash-go-office]')
    expect(r.currentRoute.value.fullPath).toBe('/settings?tab=office')
    await r.push('/dashboard')
    await click('[data-testid=dash-go-clauses]')
    expect(r.currentRoute.value.fullPath).toBe('/settings?tab=clauses')
    w.unmount()
  })

  it('says 暂无数据 for an empty chart, puts 元 on its amounts, and opens what a reminder names', async () => {
    const reminder = {
      date: '2026-12-20', kind: 'expiry', days: 13, overdue: false, certification_id: 31, cert_kind: 'high_tech_enterprise', certificate_no: 'GR202332001234',
      enterprise_id: 17, enterprise_name: '南京甲乙科技有限公司', uscc: '914403001922038216', park: null, text_zh: '高新技术企业证书将于2026-12-20到期',
    }
    mockIPC((cmd) => {
      if (cmd === 'plugin:dashboard|load')
        return dashboard({ reminders: [reminder], programs: [{ code: 'rent_subsidy', name_zh: '房租补贴', allocated_fen: 100, approved_fen: 123456, approved_count: 1, disbursed_fen: 0, pending_count: 0 }] })
    })
    const r = router()
    await r.push('/dashboard')
    const w = mount(DashboardView, { attachTo: document.body, global: { plugins: [r] } })
    await settle()
    expect(q('[data-testid=chart-park-empty]')?.textContent).toContain('暂无数据')
    expect(q('[data-testid=chart-sector-empty]')?.textContent).toContain('暂无数据')
    expect(q('[data-testid=chart-park]')).toBeNull()
    expect(q('[data-testid=dash-approved]')?.textContent).toBe('1,234.56元')
    expect(q('[data-testid=dash-paid]')?.textContent).toBe('0.00元')
    await click('[data-testid=dash-reminder-31]')
    expect(r.currentRoute.value.fullPath).toBe('/enterprise?open=17&tab=cert')
    w.unmount()
  })

  it('shows no warning when notices lack nothing', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:dashboard|load') return dashboard({})
    })
    const r = router()
    const w = mount(DashboardView, { attachTo: document.body, global: { plugins: [r] } })
    await settle()
    expect(q('[data-testid=dashboard]')).not.toBeNull()
    expect(q('[data-testid=dash-notice-warning]')).toBeNull()
    w.unmount()
  })
})
