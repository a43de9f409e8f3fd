// What notices need from the office: the settings form's new groups (district rule, remedies,
// 版记, 公示) with field errors from the core.
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { createMemoryHistory, createRouter } from 'vue-router'
import SettingsView from '../src/views/settings/SettingsView.vue'

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
  return createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: blank }, { path: '/settings', component: blank }] })
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
