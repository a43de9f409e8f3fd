import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import EnterpriseView from '../src/views/enterprise/EnterpriseView.vue'
import { i18n } from '../src/i18n'

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
const settle = async () => {
  await flushPromises()
  await wait(60)
  await flushPromises()
}
const q = (sel: string) => document.querySelector(sel) as HTMLElement | null

const preview = {
  event_id: 41,
  action: 'update',
  enterprise_id: 7,
  enterprise_name: '南京星河清源信息技术有限公司',
  changes: [{ field: 'contact_phone', before: '025-1', after: '025-2' }],
  text_zh: '撤销对“南京星河清源信息技术有限公司”的修改：联系电话 025-1 → 025-2？',
  text_en: 'Undo the change to “南京星河清源信息技术有限公司”: contact_phone "025-1" → "025-2"?',
}

function setup(opts: { undo?: typeof preview | null; redo?: typeof preview | null }) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = []
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> })
    if (cmd === 'plugin:enterprise|search') return { total: 0, more: false, offset: 0, rows: [] }
    if (cmd === 'plugin:enterprise|parks' || cmd === 'plugin:enterprise|sectors') return []
    if (cmd === 'plugin:enterprise|undo_preview') return opts.undo ?? null
    if (cmd === 'plugin:enterprise|redo_preview') return opts.redo ?? null
    if (cmd === 'plugin:enterprise|undo' || cmd === 'plugin:enterprise|redo')
      return { undone_event: 41, action: 'update', enterprise_id: 7, summary_zh: '已撤销对“南京星河清源信息技术有限公司”的修改。', summary_en: 'Undid.' }
    return null
  })
  const w = mount(EnterpriseView, { attachTo: document.body, global: { stubs: { EnterpriseForm: true, HistoryTimeline: true, MergeDialog: true } } })
  return { w, calls, sent: () => calls.filter((c) => c.cmd === 'plugin:enterprise|undo' || c.cmd === 'plugin:enterprise|redo') }
}

function key(k: string, shift = false) {
  window.dispatchEvent(new KeyboardEvent('keydown', { key: k, ctrlKey: true, shiftKey: shift, bubbles: true }))
}

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('EnterpriseView undo and redo', () => {
  it('Ctrl+Z names the change and undoes nothing until it is confirmed', async () => {
    const { w, sent } = setup({ undo: preview })
    await settle()
    key('z')
    await settle()
    const box = q('.undo-confirm')
    expect(box?.textContent).toContain('撤销对“南京星河清源信息技术有限公司”的修改：联系电话 025-1 → 025-2？')
    expect(sent()).toHaveLength(0)
    // 取消: nothing is sent.
    ;(box!.querySelectorAll('button') as NodeListOf<HTMLButtonElement>).forEach((b) => {
      if (b.textContent?.includes('取消')) b.click()
    })
    await settle()
    expect(sent()).toHaveLength(0)
    // Again, confirmed: the undo names the event the preview showed.
    key('z')
    await settle()
    // (the box closed by 取消 may still be fading out: the new one is the last)
    const confirm = [...document.querySelectorAll('.undo-confirm button')].filter((b) => b.textContent?.trim() === '撤销').pop() as HTMLButtonElement
    confirm.click()
    await settle()
    expect(sent()).toEqual([{ cmd: 'plugin:enterprise|undo', args: { eventId: 41 } }])
    w.unmount()
  })

  it('says there is nothing to undo on a ledger without hand changes, and sends nothing', async () => {
    const { w, calls, sent } = setup({ undo: null })
    await settle()
    ;(q('[data-testid=undo]') as HTMLButtonElement).click()
    await settle()
    expect(calls.some((c) => c.cmd === 'plugin:enterprise|undo_preview')).toBe(true)
    expect(document.body.textContent).toContain('没有可以撤销的手工修改')
    expect(q('.undo-confirm')).toBeNull()
    expect(sent()).toHaveLength(0)
    w.unmount()
  })

  it('Ctrl+Shift+Z asks before it redoes, and 重做 is a button too', async () => {
    const { w, sent } = setup({ redo: { ...preview, event_id: 52, text_zh: '重做对“南京星河清源信息技术有限公司”的修改：联系电话 025-1 → 025-2？' } })
    await settle()
    key('Z', true)
    await settle()
    expect(q('.undo-confirm')?.textContent).toContain('重做对“南京星河清源信息技术有限公司”的修改')
    const confirm = [...document.querySelectorAll('.undo-confirm button')].find((b) => b.textContent?.trim() === '重做') as HTMLButtonElement
    confirm.click()
    await settle()
    expect(sent()).toEqual([{ cmd: 'plugin:enterprise|redo', args: { eventId: 52 } }])
    expect(q('[data-testid=redo]')?.textContent).toContain('重做')
    w.unmount()
  })
})
