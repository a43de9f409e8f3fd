// The rent list as a worklist: each row's standing (可补贴 / 不可补贴 / 缺资料 / 待测算), the reason
// it cannot be paid, search by name or code, filters, and sorting. Pure functions: RentView shows
// them, the Vitest tests hold them.
import type { Grant } from '../../bindings/Grant'
import type { Application } from '../../bindings/Application'

export type Row = { key: string; kind: 'application' | 'grant'; grant?: Grant; app?: Application }

/** 可补贴: computed and payable; 不可补贴: refused by the rule; 缺资料: refused for want of data the
 * registry can still get (a founding date, a revenue figure, a qualifying certification);
 * 待测算: an application not yet calculated. */
export type Standing = 'payable' | 'not_payable' | 'missing' | 'pending'
export const STANDINGS: Standing[] = ['payable', 'missing', 'not_payable', 'pending']

/** Refusals that data can cure: the office asks the enterprise or the park, then 重新测算. */
export const MISSING_CODES = ['founded_on_missing', 'missing_revenue', 'not_certified']

export function standing(r: Row): Standing {
  const g = r.grant
  if (!g) return 'pending'
  if (g.explanation.eligible && g.computed_fen > 0) return 'payable'
  return g.explanation.reasons.some((x) => MISSING_CODES.includes(x.code)) ? 'missing' : 'not_payable'
}

/** Why a grant pays nothing, in the user's language (the first reason; '' when it pays). */
export function reasonOf(r: Row, lang: string): string {
  const g = r.grant
  if (!g || standing(r) === 'payable') return ''
  const first = g.explanation.reasons.find((x) => MISSING_CODES.includes(x.code)) ?? g.explanation.reasons[0]
  if (!first) return ''
  return lang === 'en' ? first.message_en : first.message_zh
}

export const nameOf = (r: Row) => r.grant?.enterprise_name ?? r.app?.enterprise_name ?? ''
export const usccOf = (r: Row) => r.grant?.uscc ?? r.app?.uscc ?? ''
export const parkOf = (r: Row) => r.grant?.park ?? r.app?.park ?? null
export const enterpriseOf = (r: Row) => r.grant?.enterprise_id ?? r.app?.enterprise_id ?? 0

export type Filter = { q: string; standing: Standing | ''; status: string; park: string }

/** Name contains the query, or the code does (case and spaces ignored). */
export function matches(r: Row, q: string): boolean {
  const s = q.trim()
  if (!s) return true
  const code = s.replace(/\s+/g, '').toUpperCase()
  return nameOf(r).includes(s) || (code.length > 0 && usccOf(r).toUpperCase().includes(code))
}

export function filterRows(rows: Row[], f: Filter): Row[] {
  return rows.filter((r) => {
    if (!matches(r, f.q)) return false
    if (f.standing && standing(r) !== f.standing) return false
    if (f.park && parkOf(r) !== f.park) return false
    if (f.status === 'pending') return r.kind === 'application'
    if (f.status) return r.grant?.status === f.status
    return true
  })
}

/** How many rows of each standing (the filter's counts; 缺资料 is the queue to work through). */
export function counts(rows: Row[]): Record<Standing, number> {
  const c: Record<Standing, number> = { payable: 0, not_payable: 0, missing: 0, pending: 0 }
  for (const r of rows) c[standing(r)] += 1
  return c
}

/** The parks the rows name, sorted as Chinese text. */
export function parksOf(rows: Row[]): string[] {
  return [...new Set(rows.map(parkOf).filter((p): p is string => !!p))].sort((a, b) => a.localeCompare(b, 'zh-CN'))
}

// Sorting (el-table `sort-method`s): names as Chinese text, amounts as numbers (none last).
export const byName = (a: Row, b: Row) => nameOf(a).localeCompare(nameOf(b), 'zh-CN')
export const byPeriod = (a: Row, b: Row) =>
  (a.grant?.period_start ?? a.app?.period_start ?? '').localeCompare(b.grant?.period_start ?? b.app?.period_start ?? '')
const amount = (v: number | null | undefined) => (v === null || v === undefined ? -1 : v)
export const byRequested = (a: Row, b: Row) => amount(a.grant?.requested_fen ?? a.app?.requested_fen) - amount(b.grant?.requested_fen ?? b.app?.requested_fen)
export const byComputed = (a: Row, b: Row) => amount(a.grant?.computed_fen) - amount(b.grant?.computed_fen)
export const byStanding = (a: Row, b: Row) => STANDINGS.indexOf(standing(a)) - STANDINGS.indexOf(standing(b))
