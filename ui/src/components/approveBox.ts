// The approval question of a grant or a reward: the amount (the computed or proposed one, or
// lower), and, when it is lower (核减), the reason — required, asked in the same box. A message box
// (not a dialog component) so that the views keep their one-line call and the end-to-end tests
// their `.el-message-box`.
import { h, reactive } from 'vue'
import { ElInput, ElMessageBox } from 'element-plus'
import { fmtYuan, parseScaled } from '../format'

type T = (key: string, params?: Record<string, unknown>) => string

export type Approval = { amount: number; reason: string | null }

export async function askApproval(o: {
  t: T
  title: string
  /** The question, with the name and the full amount. */
  prompt: string
  /** The computed (grant) or proposed (reward) amount, fen: the most that can be approved. */
  full: number
  /** The least amount accepted (fen). */
  min: number
  /** Shown when the amount is out of range. */
  invalid: string
  /** The words about a lower amount (default: a grant's 核减). */
  lower?: { label: string; hint: string; required: string; by: (amount: string) => string }
}): Promise<Approval | null> {
  const { t } = o
  const words = o.lower ?? { label: t('rent.cutReasonLabel'), hint: t('rent.cutReasonHint'), required: t('rent.cutReasonRequired'), by: (amount: string) => t('rent.cutBy', { amount }) }
  const st = reactive({ amount: (o.full / 100).toFixed(2), reason: '', amountError: '', reasonError: '' })
  const fen = () => parseScaled(st.amount, 2)
  const lower = () => {
    const f = fen()
    return f !== null && f < o.full
  }
  const validate = () => {
    const f = fen()
    st.amountError = f === null || f < o.min || f > o.full ? o.invalid : ''
    st.reasonError = !st.amountError && lower() && !st.reason.trim() ? words.required : ''
    return !st.amountError && !st.reasonError
  }
  try {
    await ElMessageBox({
      title: o.title,
      showCancelButton: true,
      confirmButtonText: t('rent.approve'),
      cancelButtonText: t('common.cancel'),
      closeOnClickModal: false,
      customClass: 'hq-approve-box',
      message: ({ confirm }: { confirm: () => void }) =>
        h('div', { class: 'hq-approve', 'data-testid': 'approve-box' }, [
          h('p', { class: 'hq-approve-prompt' }, o.prompt),
          h('div', { class: 'hq-approve-label' }, t('rent.approveAmount')),
          h(
            ElInput,
            {
              modelValue: st.amount,
              'onUpdate:modelValue': (v: string) => {
                st.amount = v
                st.amountError = ''
              },
              onKeydown: (e: Event | KeyboardEvent) => {
                if ('key' in e && e.key === 'Enter' && !e.isComposing) confirm()
              },
              'data-testid': 'approve-amount',
            },
            { append: () => t('common.yuan') },
          ),
          st.amountError ? h('div', { class: 'hq-approve-error', 'data-testid': 'approve-amount-error' }, st.amountError) : null,
          lower()
            ? h('div', { class: 'hq-approve-reason' }, [
                h('div', { class: 'hq-approve-label' }, words.label),
                h('div', { class: 'hq-approve-hint' }, words.hint),
                h(ElInput, {
                  type: 'textarea',
                  rows: 2,
                  modelValue: st.reason,
                  'onUpdate:modelValue': (v: string) => {
                    st.reason = v
                    st.reasonError = ''
                  },
                  'data-testid': 'approve-reason',
                }),
                h('div', { class: 'hq-approve-less', 'data-testid': 'approve-cut-by' }, words.by(fmtYuan(o.full - (fen() ?? o.full)))),
                st.reasonError ? h('div', { class: 'hq-approve-error', 'data-testid': 'approve-reason-error' }, st.reasonError) : null,
              ])
            : null,
        ]),
      beforeClose: (action, _instance, done) => {
        if (action !== 'confirm' || validate()) done()
      },
    })
  } catch {
    return null
  }
  const amount = fen()!
  return { amount, reason: amount < o.full ? st.reason.trim() : null }
}
