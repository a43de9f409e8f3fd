import { call } from '.'
import type { CalcInput } from '../bindings/CalcInput'
import type { CalcResult } from '../bindings/CalcResult'
import type { Application } from '../bindings/Application'
import type { ApplicationInput } from '../bindings/ApplicationInput'
import type { Lease } from '../bindings/Lease'
import type { LeaseInput } from '../bindings/LeaseInput'
import type { GrowthReport } from '../bindings/GrowthReport'
import type { Grant } from '../bindings/Grant'
import type { GrantStatus } from '../bindings/GrantStatus'
import type { Payment } from '../bindings/Payment'
import type { BatchApproval } from '../bindings/BatchApproval'
import type { RentRules } from '../bindings/RentRules'
import type { RuleVersion } from '../bindings/RuleVersion'
import type { Timeline } from '../bindings/Timeline'

const D = 'rent'
export const calc = (input: CalcInput) => call<CalcResult>(D, 'calc', { input })
export const calcFor = (uscc: string, from?: string, to?: string) => call<CalcResult>(D, 'calc_for', { uscc, from: from || null, to: to || null })
export const applications = (open: boolean) => call<Application[]>(D, 'applications', { open })
export const applicationAdd = (input: ApplicationInput) => call<Application>(D, 'application_add', { input })
export const leases = (enterprise: number) => call<Lease[]>(D, 'leases', { enterprise })
export const leaseAdd = (enterprise: number, lease: LeaseInput) => call<Lease>(D, 'lease_add', { enterprise, lease })
export const growth = (enterprise: number) => call<GrowthReport[]>(D, 'growth', { enterprise })
export const growthSet = (report: GrowthReport) => call<void>(D, 'growth_set', { report })
export const grants = (status?: GrantStatus) => call<Grant[]>(D, 'grants', { status: status ?? null })
export const grant = (id: number) => call<[Grant, Payment[]]>(D, 'grant', { id })
export const draft = (application?: number) => call<Grant[]>(D, 'draft', { application: application ?? null })
export const submit = (id: number) => call<Grant>(D, 'submit', { id })
export const recalculate = (id: number) => call<Grant>(D, 'recalculate', { id })
/** `reason` (核减理由) is required when `amount` is below the computed amount. */
export const approve = (id: number, amount: number | null, reason: string | null, confirm: boolean) => call<Grant>(D, 'approve', { id, amount, reason, confirm })
export const approveMany = (ids: number[], confirm: boolean) => call<BatchApproval>(D, 'approve_many', { ids, confirm })
export const reject = (id: number, reason: string) => call<Grant>(D, 'reject', { id, reason })
export const pay = (id: number, amount: number, date: string, reference: string) => call<Grant>(D, 'pay', { id, amount, date, reference })
export const revoke = (id: number, reason: string) => call<Grant>(D, 'revoke', { id, reason })
export const rules = () => call<RuleVersion[]>(D, 'rules')
export const rulesSave = (rules: RentRules, note: string) => call<RuleVersion>(D, 'rules_save', { rules, note })
/** The enterprise's subsidised days: leases, grant stretches, cuts, the 36 months used and left. */
export const timeline = (enterprise: number) => call<Timeline>(D, 'timeline', { enterprise })
