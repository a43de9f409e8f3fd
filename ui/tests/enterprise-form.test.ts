import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import EnterpriseForm from '../src/views/enterprise/EnterpriseForm.vue'
import { i18n } from '../src/i18n'
import { toInput, toModel } from '../src/views/enterprise/form'

function mountForm(serverErrors: unknown[] = []) {
  return mount(EnterpriseForm, {
    props: { initial: { uscc: '', name: '' }, id: null, parks: [], sectors: ['集成电路', '其他'], serverErrors: serverErrors as never },
    attachTo: document.body,
  })
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
// Element Plus shows a form item's error after a short debounce.
const settle = async () => {
  await flushPromises()
  await wait(150)
  await flushPromises()
}

describe('EnterpriseForm', () => {
  afterEach(() => {
    clearMocks()
    document.body.innerHTML = ''
    i18n.global.locale.value = 'zh-CN'
  })

  it('says in Chinese which required fields are missing once touched', async () => {
    mockIPC(() => [[], []])
    const w = mountForm()
    ;(w.vm as unknown as { touchAll: () => void }).touchAll()
    await settle()
    expect(w.text()).toContain('请填写统一社会信用代码。')
    expect(w.text()).toContain('请填写企业名称。')
    expect((w.vm as unknown as { valid: boolean }).valid).toBe(false)
  })

  it('rejects a capital that is not a number', async () => {
    mockIPC(() => [[], []])
    const w = mountForm()
    await w.find('[data-testid=f-capital]').setValue('五百万')
    await w.find('[data-testid=f-capital]').trigger('blur')
    await settle()
    expect(w.text()).toContain('注册资本请填写数字')
  })

  it('shows the core’s USCC verdict inline after the field loses focus', async () => {
    const calls: unknown[] = []
    mockIPC((cmd, args) => {
      calls.push([cmd, args])
      if (cmd === 'plugin:enterprise|validate')
        return [[{ field: 'uscc', code: 'uscc_checksum', message_zh: '统一社会信用代码校验位错误：第18位应为“6”，填写的是“7”。请核对代码是否抄错。', message_en: 'Wrong check character' }], []]
    })
    const w = mountForm()
    await w.find('[data-testid=f-uscc]').setValue('914403001922038217')
    await w.find('[data-testid=f-uscc]').trigger('blur')
    await wait(300)
    await settle()
    expect(calls.some((c) => (c as string[])[0] === 'plugin:enterprise|validate')).toBe(true)
    expect(w.text()).toContain('第18位应为“6”')
    // English follows the UI language.
    i18n.global.locale.value = 'en'
    await settle()
    expect(w.text()).toContain('Wrong check character')
  })

  it('a refused save marks the field until it is edited', async () => {
    mockIPC(() => [[], []])
    const w = mountForm([{ field: 'name', code: 'too_long', message_zh: '企业名称过长', message_en: 'too long' }])
    await settle()
    expect(w.text()).toContain('企业名称过长')
    await w.find('[data-testid=f-name]').setValue('南京甲乙科技有限公司')
    await settle()
    expect(w.text()).not.toContain('企业名称过长')
  })

  it('maps the model to the input the core expects (fen, no empty strings for options)', () => {
    const m = toModel({ uscc: 'x', name: 'y' })
    m.capital_wan = '12.5'
    m.founded_on = ' '
    const i = toInput(m)
    expect(i.registered_capital_fen).toBe(12_500_000)
    expect(i.founded_on).toBeUndefined()
    expect(i.park).toBeUndefined()
  })
})
