// Open "the notice of X": the live one when it was issued, else a preview of it to issue.
import * as api from '../../ipc/notice'
import type { Notice } from '../../bindings/Notice'
import type { Target } from '../../bindings/Target'

export async function openFor(target: Target, enterpriseId: number, isIt: (n: Notice) => boolean): Promise<{ target: Target | null; noticeId: number | null }> {
  const live = (await api.list({ enterprise: enterpriseId })).find((n) => n.status === 'issued' && n.kind === target.kind && isIt(n))
  return live ? { target: null, noticeId: live.id } : { target, noticeId: null }
}
