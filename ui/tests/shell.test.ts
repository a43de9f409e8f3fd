import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import App from '../src/App.vue'
import { router } from '../src/router'
import { i18n } from '../src/i18n'

const status = (over: Record<string, unknown> = {}) => ({
  version: '0.1.0', db_path: '/tmp/h.db', schema_version: 1, read_only: false, first_run: true, lang: 'zh-CN',
  user_name: 'tester', enterprise_count: 0, pre_migration_copy: null, today: '2026-03-05', ...over,
})

describe('App shell', () => {
  afterEach(() => {
    clearMocks()
    i18n.global.locale.value = 'zh-CN'
  })

  it('opens on the first-run screen in Chinese and loads the demo on request', async () => {
    const calls: string[] = []
    mockIPC((cmd, args) => {
      calls.push(cmd)
      if (cmd === 'plugin:system|status') return status()
      if (cmd === 'plugin:system|finish_first_run') return status({ first_run: false, enterprise_count: (args as { demo: boolean }).demo ? 52 : 0 })
      if (cmd === 'plugin:enterprise|search') return { total: 0, offset: 0, rows: [] }
      return []
    })
    const w = mount(App, { global: { plugins: [router] } })
    await flushPromises()
    expect(w.find('[data-testid=first-run]').exists()).toBe(true)
    expect(w.text()).toContain('欢迎使用惠企台账')
    await w.find('[data-testid=first-run-demo]').trigger('click')
    await flushPromises()
    expect(calls).toContain('plugin:system|finish_first_run')
    expect(w.find('[data-testid=shell]').exists()).toBe(true)
    w.unmount()
  })

  it('shows why the database could not be opened', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:system|status') throw { code: 'database_too_new', message: '这个数据库由更新版本的惠企台账写入' }
    })
    const w = mount(App, { global: { plugins: [router] } })
    await flushPromises()
    expect(w.find('[data-testid=open-error]').exists()).toBe(true)
    expect(w.text()).toContain('更新版本')
    w.unmount()
  })

  it('starts in the remembered language', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:system|status') return status({ lang: 'en' })
      return []
    })
    const w = mount(App, { global: { plugins: [router] } })
    await flushPromises()
    expect(w.text()).toContain('Welcome to Huiqi Ledger')
    w.unmount()
  })

  it('Alt+1…7 switch sections and the shortcut bar names the global and the page keys', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:system|status') return status({ first_run: false, enterprise_count: 0 })
      if (cmd === 'plugin:enterprise|search') return { total: 0, more: false, offset: 0, rows: [] }
      if (cmd === 'plugin:dashboard|summary') return null
      return []
    })
    await router.push('/dashboard')
    // (the sections' views are not this test's subject)
    const w = mount(App, { global: { plugins: [router], stubs: { RouterView: true } }, attachTo: document.body })
    await flushPromises()
    expect(w.find('[data-testid=shortcut-bar]').text()).toBe('快捷键：Alt+1–7 切换栏目')
    const alt = (code: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key: code.slice(-1), code, altKey: true }))
    // (a section's view loads on first use: wait for the navigation to finish)
    const until = async (path: string) => {
      for (let i = 0; i < 100 && router.currentRoute.value.path !== path; i++) await new Promise((r) => setTimeout(r, 30))
      await flushPromises()
    }
    alt('Digit2')
    await until('/enterprise')
    expect(router.currentRoute.value.path).toBe('/enterprise')
    expect(w.find('[data-testid=shortcut-bar]').text()).toContain('Ctrl+Shift+Z 重做')
    alt('Digit7')
    await until('/settings')
    expect(router.currentRoute.value.path).toBe('/settings')
    // Without Alt, or past the last section, nothing moves.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', code: 'Digit3' }))
    alt('Digit9')
    await new Promise((r) => setTimeout(r, 300))
    expect(router.currentRoute.value.path).toBe('/settings')
    expect(w.find('[data-testid=nav-rent]').attributes('title')).toBe('房租补贴 (Alt+3)')
    w.unmount()
  })
})
