import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import RentRules from '../src/views/settings/RentRules.vue'

const rules = {
  max_company_age_years: 5,
  eligible_certifications: ['high_tech_enterprise'],
  tiers: [
    { min_growth_bp: 3000, rate_bp: 10000 },
    { min_growth_bp: 0, rate_bp: 5000 },
  ],
  unit_rent_cap_fen: null,
  area_cap_centi_m2: 100000,
  yearly_cap_fen: null,
}
const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 30))
  await flushPromises()
}
const q = (sel: string) => document.querySelector(sel) as HTMLElement | null
async function type(el: HTMLInputElement, value: string) {
  el.value = value
  el.dispatchEvent(new Event('input'))
  await settle()
}

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('the rent rule editor', () => {
  it('shows what the core refused and clears a problem as soon as its field is changed', async () => {
    mockIPC((cmd) => {
      if (cmd === 'plugin:rent|rules') return [{ version: 1, rules, note: '', created_at: '2026-01-01T00:00:00Z', created_by: '演示' }]
      if (cmd === 'plugin:rent|rules_save')
        throw { code: 'invalid_rules', message: '补贴规则有误', details: { problems: [{ field: 'tiers', message_zh: '第1档补贴比例必须大于0。', message_en: 'Tier 1: the rate must be above 0.' }] } }
      if (cmd === 'plugin:cert|kinds') return []
      return null
    })
    const w = mount(RentRules, { attachTo: document.body })
    await settle()
    const rate = q('[data-testid=tier-rate] input, input[data-testid=tier-rate]') as HTMLInputElement
    await type(rate, '0')
    q('[data-testid=rules-save]')!.click()
    await settle()
    expect(q('[data-testid=rule-problem]')?.textContent).toContain('第1档补贴比例必须大于0。')
    // Changing another field leaves it; fixing the tier clears it.
    const note = [...document.querySelectorAll('input')].pop() as HTMLInputElement
    await type(note, '调整说明')
    expect(q('[data-testid=rule-problem]')).not.toBeNull()
    await type(rate, '100')
    expect(q('[data-testid=rule-problem]')).toBeNull()
    w.unmount()
  })
})
