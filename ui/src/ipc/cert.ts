import { call } from '.'
import type { CertKind } from '../bindings/CertKind'
import type { Certification } from '../bindings/Certification'
import type { CertInput } from '../bindings/CertInput'
import type { Milestone } from '../bindings/Milestone'
import type { ReminderSettings } from '../bindings/ReminderSettings'
import type { ScanResult } from '../bindings/ScanResult'
import type { RewardPick } from '../bindings/RewardPick'
import type { Reward } from '../bindings/Reward'
import type { RewardStatus } from '../bindings/RewardStatus'

const D = 'cert'
export const kinds = () => call<CertKind[]>(D, 'kinds')
export const kindSave = (kind: CertKind) => call<CertKind>(D, 'kind_save', { kind })
export const list = (o: { enterprise?: number; kind?: string; expiringWithin?: number } = {}) =>
  call<Certification[]>(D, 'list', { enterprise: o.enterprise ?? null, kind: o.kind ?? null, expiringWithin: o.expiringWithin ?? null })
export const add = (input: CertInput) => call<Certification>(D, 'add', { input })
export const revoke = (id: number, reason: string) => call<Certification>(D, 'revoke', { id, reason })
export const reminders = (within?: number) => call<Milestone[]>(D, 'reminders', { within: within ?? null })
export const reminderSettings = () => call<ReminderSettings>(D, 'reminder_settings')
export const reminderSettingsSave = (settings: ReminderSettings) => call<ReminderSettings>(D, 'reminder_settings_save', { settings })
export const remindersExport = (within?: number) => call<string | null>(D, 'reminders_export', { within: within ?? null })
export const rewardScan = () => call<ScanResult>(D, 'reward_scan')
export const rewardConfirm = (picks: RewardPick[], confirm: boolean) => call<Reward[]>(D, 'reward_confirm', { picks, confirm })
export const rewards = (status?: RewardStatus, enterprise?: number) => call<Reward[]>(D, 'rewards', { status: status ?? null, enterprise: enterprise ?? null })
/** `amount` null: the reward's own amount; a lower one needs its `reason`. */
export const rewardApprove = (id: number, amount: number | null, reason: string | null, confirm: boolean) => call<Reward>(D, 'reward_approve', { id, amount, reason, confirm })
/** A performance-based reward (program without a certification kind): amount within the cap, with its scoring note. */
export const rewardAdd = (program: string, uscc: string, amount: number, note: string) => call<Reward>(D, 'reward_add', { program, uscc, amount, note })
export const rewardReject = (id: number, reason: string) => call<Reward>(D, 'reward_reject', { id, reason })
export const rewardPay = (id: number, amount: number, date: string, reference: string) => call<Reward>(D, 'reward_pay', { id, amount, date, reference })
export const rewardRevoke = (id: number, reason: string) => call<Reward>(D, 'reward_revoke', { id, reason })
