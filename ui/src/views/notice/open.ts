// Open "the notice of X": the live one when it was issued, else a preview of it to issue. The
// core says which notice a grant or a reward gets (target_for_grant: approval, 核减 when less than
// the computed amount was approved, or refusal; target_for_reward: the reward, or its 补差).
import * as api from '../../ipc/notice'
import type { Notice } from '../../bindings/Notice'
import type { Target } from '../../bindings/Target'

export type Opened = { target: Target | null; noticeId: number | null }

export async function openFor(target: Target, enterpriseId: number, isIt: (n: Notice) => boolean): Promise<Opened> {
  const live = (await api.list({ enterprise: enterpriseId })).find((n) => n.status === 'issued' && n.kind === target.kind && isIt(n))
  return live ? { target: null, noticeId: live.id } : { target, noticeId: null }
}

export async function openForGrant(g: { id: number; enterprise_id: number }): Promise<Opened> {
  return openFor(await api.targetForGrant(g.id), g.enterprise_id, (n) => n.grant_id === g.id)
}

export async function openForReward(r: { id: number; enterprise_id: number }): Promise<Opened> {
  return openFor(await api.targetForReward(r.id), r.enterprise_id, (n) => n.reward_id === r.id)
}
