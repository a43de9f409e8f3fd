import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { certKinds } from './fixtures/certKinds'

// The store is module state: each test gets a fresh copy (and the i18n it reads the language from).
let store: typeof import('../src/certKinds')
let i18n: typeof import('../src/i18n').i18n
let asked = 0
let fail = false
beforeEach(async () => {
  vi.resetModules()
  store = await import('../src/certKinds')
  i18n = (await import('../src/i18n')).i18n
  asked = 0
  fail = false
  mockIPC((cmd) => {
    if (cmd !== 'plugin:cert|kinds') return undefined
    asked++
    if (fail) throw { code: 'internal', message: '数据库已锁定' }
    return certKinds
  })
})
afterEach(() => {
  clearMocks()
})

describe('certKinds', () => {
  it('names a kind as the core does, in the UI\'s language, and a code it does not know as the code', async () => {
    expect(store.certKindLabel('high_tech_enterprise')).toBe('high_tech_enterprise')
    await store.loadCertKinds()
    expect(store.certKindLabel('high_tech_enterprise')).toBe('高新技术企业')
    expect(store.certKindLabel('no_such_kind')).toBe('no_such_kind')
    i18n.global.locale.value = 'en'
    expect(store.certKindLabel('tech_sme')).toBe('Technology-based SME')
  })

  it('asks the core once for every component, and again only when asked for fresh kinds', async () => {
    const Label = defineComponent({ props: { code: { type: String, required: true } }, setup: (p) => { const { kindLabel } = store.useCertKinds(); return () => h('span', kindLabel(p.code)) } })
    const a = mount(Label, { props: { code: 'tech_sme' } })
    const b = mount(Label, { props: { code: 'little_giant_national' } })
    await flushPromises()
    expect(asked).toBe(1)
    // The labels follow the load.
    expect(a.text()).toBe('科技型中小企业')
    expect(b.text()).toBe('国家级专精特新“小巨人”企业')
    await store.loadCertKinds(true)
    expect(asked).toBe(2)
    a.unmount()
    b.unmount()
  })

  it('tries again after a failed load', async () => {
    fail = true
    await expect(store.loadCertKinds()).rejects.toMatchObject({ message: '数据库已锁定' })
    expect(store.certKindLabel('tech_sme')).toBe('tech_sme')
    fail = false
    await store.loadCertKinds()
    expect(asked).toBe(2)
    expect(store.certKindLabel('tech_sme')).toBe('科技型中小企业')
  })
})
