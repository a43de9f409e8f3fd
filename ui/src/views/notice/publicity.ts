// 公示 helpers shared by the 公示 tab and the rent and reward tables: the period as the core
// counts it (Monday to Friday; a weekend start moves to the Monday), where a list stands today,
// and what holds a grant or a reward from being paid.
import type { Item } from '../../bindings/Item'
import type { Publicity } from '../../bindings/Publicity'

const pad = (n: number) => String(n).padStart(2, '0')
export const ymd = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
/** Days between the core's today and this computer's (0 unless the core runs on HUIQI_TODAY). */
let offsetDays = 0
/** Follow the core's day (its status says which day it works on). */
export function followCoreDay(coreToday: string) {
  const core = parseDay(coreToday)
  const local = parseDay(ymd(new Date()))
  offsetDays = core && local ? Math.round((core.getTime() - local.getTime()) / 86_400_000) : 0
}
/** Today as the core counts it, YYYY-MM-DD: the local date (moved as the core's is). */
export const today = () => {
  const d = new Date()
  d.setDate(d.getDate() + offsetDays)
  return ymd(d)
}

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
export type Hold = { kind: 'objection' | 'running'; publicity: Publicity }

/** Grant and reward ids → what holds them (items dropped or cleared hold nothing). */
export function holds(lists: Publicity[], on = today()): { grants: Map<number, Hold>; rewards: Map<number, Hold> } {
  const grants = new Map<number, Hold>()
  const rewards = new Map<number, Hold>()
  for (const p of lists) {
    for (const it of p.items) {
      if (it.outcome === 'dropped') continue
      let h: Hold | null = null
      if (openObjections(it) > 0) h = { kind: 'objection', publicity: p }
      // A period that ended without an objection holds nothing, closed or not.
      else if (p.status === 'open' && stage(p, on) === 'running') h = { kind: 'running', publicity: p }
      if (!h) continue
      if (it.grant_id !== null) grants.set(it.grant_id, h)
      if (it.reward_id !== null) rewards.set(it.reward_id, h)
    }
  }
  return { grants, rewards }
}

/** The refusals of a payment that a 公示 causes (shown as such, not as a wrong amount). */
export const HOLD_CODES = ['in_publicity', 'objection_open']

/** A stable key of an item for test ids: g12 (grant 12) or r7 (reward 7). */
export const itemKey = (it: Item) => (it.grant_id !== null ? `g${it.grant_id}` : `r${it.reward_id}`)
