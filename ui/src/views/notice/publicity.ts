// 公示 helpers shared by the 公示 tab and the rent and reward tables: the period as the core
// counts it (Monday to Friday; a weekend start moves to the Monday), where a list stands today,
// and what holds a grant or a reward from being paid.
import type { Item } from '../../bindings/Item'
import type { Publicity } from '../../bindings/Publicity'

const pad = (n: number) => String(n).padStart(2, '0')
export const ymd = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
/** Today on this computer, YYYY-MM-DD (the core uses the local date too). */
export const today = () => ymd(new Date())

/** "2026-03-05" → a local date; null when it is not a real day. */
export function parseDay(s: string): Date | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s.trim())
  if (!m) return null
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d : null
}

const working = (d: Date) => d.getDay() !== 0 && d.getDay() !== 6

/** The first working day on or after `start` and the `n`-th working day counting it (as `notice::publicity::period`). */
export function period(start: string, n: number): { from: string; to: string } | null {
  const d = parseDay(start)
  if (!d || !(n >= 1)) return null
  while (!working(d)) d.setDate(d.getDate() + 1)
  const from = ymd(d)
  let left = n - 1
  while (left > 0) {
    d.setDate(d.getDate() + 1)
    if (working(d)) left -= 1
  }
  return { from, to: ymd(d) }
}

export type Stage = 'running' | 'ended' | 'closed'
/** 公示中 until its last day, then 期满待结束 until someone closes it. */
export function stage(p: Publicity, on = today()): Stage {
  if (p.status === 'closed') return 'closed'
  return on > p.ends_on ? 'ended' : 'running'
}

export const openObjections = (it: Item) => it.objections.filter((o) => o.status === 'open').length

/** Why a grant or reward cannot be paid because of a list: the same order as the core's payment hold. */
export type Hold = { kind: 'objection' | 'running' | 'ended'; publicity: Publicity }

/** Grant and reward ids → what holds them (items dropped or cleared hold nothing). */
export function holds(lists: Publicity[], on = today()): { grants: Map<number, Hold>; rewards: Map<number, Hold> } {
  const grants = new Map<number, Hold>()
  const rewards = new Map<number, Hold>()
  for (const p of lists) {
    for (const it of p.items) {
      if (it.outcome === 'dropped') continue
      let h: Hold | null = null
      if (openObjections(it) > 0) h = { kind: 'objection', publicity: p }
      else if (p.status === 'open') h = { kind: stage(p, on) === 'running' ? 'running' : 'ended', publicity: p }
      if (!h) continue
      if (it.grant_id !== null) grants.set(it.grant_id, h)
      if (it.reward_id !== null) rewards.set(it.reward_id, h)
    }
  }
  return { grants, rewards }
}

/** The refusals of a payment that a 公示 causes (shown as such, not as a wrong amount). */
export const HOLD_CODES = ['in_publicity', 'publicity_not_closed', 'objection_open']

/** A stable key of an item for test ids: g12 (grant 12) or r7 (reward 7). */
export const itemKey = (it: Item) => (it.grant_id !== null ? `g${it.grant_id}` : `r${it.reward_id}`)
