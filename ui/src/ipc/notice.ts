import { call, progressChannel } from '.'
import type { BatchIssued } from '../bindings/BatchIssued'
import type { Candidate } from '../bindings/Candidate'
import type { Draft } from '../bindings/Draft'
import type { Notice } from '../bindings/Notice'
import type { NoticeKind } from '../bindings/NoticeKind'
import type { Placeholder } from '../bindings/Placeholder'
import type { ProgressReport } from '../bindings/ProgressReport'
import type { Publicity } from '../bindings/Publicity'
import type { PublicityInput } from '../bindings/PublicityInput'
import type { ObjectionStatus } from '../bindings/ObjectionStatus'
import type { RegisterLine } from '../bindings/RegisterLine'
import type { Target } from '../bindings/Target'
import type { Template } from '../bindings/Template'
import type { Verification } from '../bindings/Verification'

const D = 'notice'
/** PDFs arrive as raw bytes (ipc::Response). */
const bytes = async (p: Promise<ArrayBuffer>) => new Uint8Array(await p)

export const templates = () => call<Template[]>(D, 'templates')
export const templateVersions = (kind: NoticeKind) => call<Template[]>(D, 'template_versions', { kind })
export const templateSave = (kind: NoticeKind, genre: string, title: string, body: string) => call<Template>(D, 'template_save', { kind, genre, title, body })
export const placeholders = (kind: NoticeKind) => call<Placeholder[]>(D, 'placeholders', { kind })
export const targetForGrant = (grant: number) => call<Target>(D, 'target_for_grant', { grant })
/** The notice a reward gets (reward, or reward_top_up for a 补差). */
export const targetForReward = (reward: number) => call<Target>(D, 'target_for_reward', { reward })
export const draft = (target: Target) => call<Draft>(D, 'draft', { target })
export const previewPdf = (target: Target) => bytes(call<ArrayBuffer>(D, 'preview_pdf', { target }))
export const issue = (target: Target) => call<Notice>(D, 'issue', { target })
export const list = (o: { enterprise?: number; q?: string } = {}) => call<Notice[]>(D, 'list', { enterprise: o.enterprise ?? null, q: o.q ?? null })
export const get = (id: number) => call<Notice>(D, 'get', { id })
export const pdf = (id: number) => bytes(call<ArrayBuffer>(D, 'pdf', { id }))
export const voidNotice = (id: number, reason: string) => call<Notice>(D, 'void', { id, reason })
export const correct = (id: number, reason: string) => call<Notice>(D, 'correct', { id, reason })
export const register = () => call<RegisterLine[]>(D, 'register')
export const candidates = () => call<Candidate[]>(D, 'candidates')
export const batchPreview = (targets: Target[]) => bytes(call<ArrayBuffer>(D, 'batch_preview', { targets }))
export const batchIssue = (targets: Target[], onProgress: (p: ProgressReport) => void) =>
  call<BatchIssued>(D, 'batch_issue', { targets, progress: progressChannel(onProgress) })
export const batchCancel = () => call<void>(D, 'batch_cancel')
export const combinedPdf = (ids: number[]) => bytes(call<ArrayBuffer>(D, 'combined_pdf', { ids }))
export const saveAs = (ids: number[]) => call<string | null>(D, 'save_as', { ids })
export const print = (ids: number[]) => call<string>(D, 'print', { ids })
export const verify = () => call<Verification | null>(D, 'verify')
export const verifyCode = (code: string) => call<Verification>(D, 'verify_code', { code })

// ---- 公示 ----------------------------------------------------------------------------------------
/** Approved, unpaid grants and rewards not on a list yet: [grant ids, reward ids]. */
export const publicityUnpublished = () => call<[number[], number[]]>(D, 'publicity_unpublished')
/** Publish a list (its document numbered from the register); empty lists: every unpublished item. */
export const publicityCreate = (input: PublicityInput) => call<Publicity>(D, 'publicity_create', { input })
export const publicityList = () => call<Publicity[]>(D, 'publicity_list')
/** An objection against the item of `grant` or `reward` on list `id`, received on `receivedOn` (YYYY-MM-DD). */
export const publicityObject = (id: number, grant: number | null, reward: number | null, text: string, objector: string, receivedOn: string) =>
  call<Publicity>(D, 'publicity_object', { id, grant, reward, text, objector, receivedOn })
/** Resolve an objection: kept, dropped (revokes the grant or reward) or amended (`amount` fen, lower). */
export const publicityResolve = (objection: number, outcome: Exclude<ObjectionStatus, 'open'>, reason: string, amount: number | null) =>
  call<Publicity>(D, 'publicity_resolve', { objection, outcome, reason, amount })
/** Close a list whose period has ended (refused with publicity_running before). */
export const publicityClose = (id: number) => call<Publicity>(D, 'publicity_close', { id })
/** The list as xlsx, where the user chooses (a save dialog in Rust); null: cancelled. */
export const publicityExport = (id: number) => call<string | null>(D, 'publicity_export', { id })
