import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import EnterpriseView from '../src/views/enterprise/EnterpriseView.vue'

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
const q = (sel: string) => document.querySelector(sel) as HTMLElement | null

function row(id: number, name: string) {
  return { id, uscc: `91320115MA1X${String(id).padStart(6, '0')}`, name, park: null, sector: '', status: 'active', contact_name: '', contact_phone: '', founded_on: null, registered_capital_fen: null, high_tech: false, uscc_org_code_warning: false, updated_at: '' }
}

/** The registry's type-ahead: the core answers late for "南" and at once for "南京". */
function setup() {
  const searches: (string | undefined)[] = []
  const opened: number[] = []
  mockIPC(async (cmd, args) => {
    if (cmd === 'plugin:enterprise|search') {
      const text = (args as { query: { q?: string } }).query.q
      searches.push(text)
      if (text === '南') {
        await wait(300)
        return { total: 1000, more: true, offset: 0, rows: [row(1, '南方旧结果有限公司')] }
      }
      return { total: 1, more: false, offset: 0, rows: [text ? row(2, `${text}星河科技有限公司`) : row(3, '全部')] }
    }
    if (cmd === 'plugin:enterprise|parks' || cmd === 'plugin:enterprise|sectors') return []
    if (cmd === 'plugin:enterprise|detail') {
      opened.push((args as { id: number }).id)
      return null
    }
    return null
  })
  const w = mount(EnterpriseView, { attachTo: document.body, global: { stubs: { EnterpriseForm: true, HistoryTimeline: true, MergeDialog: true } } })
  return { w, searches, opened }
}

async function type(value: string) {
  const el = q('[data-testid=search-box] input') ?? (q('input[data-testid=search-box]') as HTMLInputElement)
  ;(el as HTMLInputElement).value = value
  el!.dispatchEvent(new Event('input'))
  await flushPromises()
}

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('EnterpriseView type-ahead', () => {
  it('sends one search for fast typing, and a late answer to an older query never replaces a newer one', async () => {
    const { w, searches } = setup()
    await wait(50)
    await flushPromises()
    const initial = searches.length
    // Three keystrokes within the debounce: one search, for what was typed last.
    await type('江')
    await wait(30)
    await type('江宁')
    await wait(30)
    await type('江宁星')
    await wait(200)
    await flushPromises()
    expect(searches.slice(initial)).toEqual(['江宁星'])
    // "南" is slow to answer; "南京" typed after it answers first and stays.
    await type('南')
    await wait(160)
    await type('南京')
    await wait(160)
    await flushPromises()
    expect(q('[data-testid=row-count]')?.textContent).toContain('1 家企业')
    await wait(250)
    await flushPromises()
    expect(searches.slice(initial)).toEqual(['江宁星', '南', '南京'])
    expect(q('[data-testid=row-count]')?.textContent).toContain('1 家企业')
    expect(document.body.textContent).not.toContain('南方旧结果有限公司')
    w.unmount()
  })

  it('Enter right after typing opens the first match on the first press', async () => {
    const { w, searches, opened } = setup()
    await wait(50)
    await flushPromises()
    await type('江宁')
    // (no pause: the search has not run yet)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await wait(100)
    await flushPromises()
    expect(searches).toContain('江宁')
    expect(opened).toEqual([2])
    w.unmount()
  })
})
