import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import NoticeDialog from '../src/views/notice/NoticeDialog.vue'
import NoticeTemplates from '../src/views/settings/NoticeTemplates.vue'

// pdf.js is not loaded here: the viewer is a stub that records the bytes it was given.
const stubs = { PdfViewer: { props: ['data'], template: '<div data-testid="pdf-stub">{{ data ? data.length : 0 }}</div>' } }

const draft = {
  target: { kind: 'rent_approval', id: 7 }, subject: '关于拨付南京甲乙科技有限公司高新技术创业企业房租补贴的通知', enterprise_id: 3,
  enterprise_name: '南京甲乙科技有限公司', uscc: '914403001922038216', amount_fen: 13527000, genre: '通知', template_version: 1,
  clause: { policy_title: '关于深入推进引领性国家创新型城市建设的若干政策意见', policy_doc_number: '宁委发〔2022〕1号', article: 2, version: 1, title_zh: '培育壮大科技企业队伍', quote: '…', citation: '《关于深入推进引领性国家创新型城市建设的若干政策意见》（宁委发〔2022〕1号）第二条' },
  fields: {},
}
const notice = {
  id: 1, doc_number: '江宁科〔2026〕1号', kind: 'rent_approval', subject: draft.subject, enterprise_id: 3, enterprise_name: draft.enterprise_name, uscc: draft.uscc,
  grant_id: 7, reward_id: null, certification_id: null, template_version: 1, clause: draft.clause, verification: '4e4fe13e9aa6', sha256: 'f'.repeat(64),
  status: 'issued', void_reason: '', voided_at: null, supersedes: null, superseded_by: null, issued_at: '2026-03-05T02:00:00Z', issued_by: 'tester', size: 58000,
}

describe('NoticeDialog', () => {
  afterEach(() => {
    clearMocks()
    document.body.innerHTML = ''
  })

  it('shows the preview with its amount and clause, then issues and shows the number', async () => {
    const calls: string[] = []
    mockIPC((cmd) => {
      calls.push(cmd)
      if (cmd === 'plugin:notice|draft') return draft
      if (cmd === 'plugin:notice|preview_pdf') return new Uint8Array([37, 80, 68, 70]).buffer
      if (cmd === 'plugin:notice|issue') return notice
      if (cmd === 'plugin:notice|get') return notice
      if (cmd === 'plugin:notice|pdf') return new Uint8Array(58000).buffer
    })
    const w = mount(NoticeDialog, { props: { modelValue: true, target: draft.target as never }, global: { stubs }, attachTo: document.body })
    await flushPromises()
    const body = () => document.body.textContent ?? ''
    expect(body()).toContain('样稿 · 未编号')
    expect(body()).toContain('135,270.00 元')
    expect(body()).toContain('第二条')
    expect(document.querySelector('[data-testid=pdf-stub]')?.textContent).toBe('4')
    ;(document.querySelector('[data-testid=notice-issue]') as HTMLElement).click()
    await flushPromises()
    // The confirmation says what will happen; accept it.
    expect(body()).toContain('将取用下一个发文字号')
    ;(document.querySelector('.el-message-box__btns .el-button--primary') as HTMLElement).click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    expect(calls).toContain('plugin:notice|issue')
    expect(document.querySelector('[data-testid=notice-number]')?.textContent).toBe('江宁科〔2026〕1号')
    expect(document.querySelector('[data-testid=pdf-stub]')?.textContent).toBe('58000')
    expect(w.emitted('changed')?.length).toBe(1)
    w.unmount()
  })

  it('names the missing field instead of a preview', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:notice|draft') throw { code: 'missing_field', message: '缺少“租赁地址”，不能发文：请先在企业的“房租补贴”页补全租赁合同信息。' }
    })
    const w = mount(NoticeDialog, { props: { modelValue: true, target: draft.target as never }, global: { stubs }, attachTo: document.body })
    await flushPromises()
    expect(document.querySelector('[data-testid=notice-error]')?.textContent).toContain('租赁地址')
    expect(document.querySelector('[data-testid=notice-issue]')).toBeNull()
    // Not an office setting: no way to settings is offered.
    expect(document.querySelector('[data-testid=notice-go-settings]')).toBeNull()
    w.unmount()
  })

  it('names a missing office setting and links to it in 设置 → 单位信息', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:notice|draft')
        throw { code: 'missing_setting', message: '缺少“区级补贴细则名称”，不能出具房租补贴拨付通知。请在 设置 → 单位信息 中填写。', details: { field: 'rule_name', kind: 'rent_approval' } }
    })
    const w = mount(NoticeDialog, { props: { modelValue: true, target: draft.target as never }, global: { stubs }, attachTo: document.body })
    await flushPromises()
    expect(document.querySelector('[data-testid=notice-error]')?.textContent).toContain('区级补贴细则名称')
    const link = document.querySelector('[data-testid=notice-go-settings]')
    expect(link?.textContent).toContain('设置 → 单位信息')
    expect(link?.getAttribute('href')).toBe('#/settings?tab=office&field=rule_name')
    w.unmount()
  })
})

describe('NoticeTemplates', () => {
  afterEach(() => clearMocks())

  it('saves an edit as a new version and shows a refusal next to the body', async () => {
    const v1 = { kind: 'rent_approval', version: 1, genre: '通知', title: '关于拨付{enterprise}\n房租补贴的通知', body: '根据{citation}……{amount}{amount_line}', current: true, created_at: '2026-01-01T00:00:00Z', created_by: 'seed' }
    let saved: Record<string, unknown> | null = null
    mockIPC((cmd, args) => {
      if (cmd === 'plugin:notice|template_versions') return saved ? [{ ...v1, current: false }, { ...v1, ...saved, version: 2, current: true }] : [v1]
      if (cmd === 'plugin:notice|placeholders') return [{ name: 'enterprise', label_zh: '企业名称', label_en: 'enterprise name', required: true }]
      if (cmd === 'plugin:notice|template_save') {
        const a = args as { body: string }
        if (a.body.includes('{签发人}')) throw { code: 'unknown_placeholder', message: '模板中的占位符“{签发人}”不认识。' }
        saved = args as Record<string, unknown>
        return { ...v1, ...saved, version: 2 }
      }
    })
    const w = mount(NoticeTemplates)
    await flushPromises()
    const body = w.find('textarea[data-testid=template-body]')
    expect((body.element as HTMLTextAreaElement).value).toBe(v1.body)
    await body.setValue(v1.body + '{签发人}')
    await w.find('[data-testid=template-save]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid=template-error]').text()).toContain('{签发人}')
    await body.setValue(v1.body + '\n特此通知。')
    await w.find('[data-testid=template-save]').trigger('click')
    await flushPromises()
    expect(saved).not.toBeNull()
    expect(w.text()).toContain('第2版')
    w.unmount()
  })
})
