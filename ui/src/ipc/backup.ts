import { call, progressChannel } from '.'
import type { BackupInfo } from '../bindings/BackupInfo'
import type { BackupReport } from '../bindings/BackupReport'
import type { BackupSettings } from '../bindings/BackupSettings'
import type { ProgressReport } from '../bindings/ProgressReport'
import type { RecoveryPlan } from '../bindings/RecoveryPlan'
import type { RestoreReport } from '../bindings/RestoreReport'

const D = 'backup'
export const list = () => call<BackupInfo[]>(D, 'list')
export const settings = () => call<BackupSettings>(D, 'settings')
export const create = (onProgress: (p: ProgressReport) => void) => call<BackupReport>(D, 'create', { progress: progressChannel(onProgress) })
export const chooseSecondFolder = () => call<BackupSettings | null>(D, 'choose_second_folder')
export const clearSecondFolder = () => call<BackupSettings>(D, 'clear_second_folder')
export const restore = (fileName: string) => call<RestoreReport>(D, 'restore', { fileName })
export const recoveryPlan = () => call<RecoveryPlan>(D, 'recovery_plan')
export const recover = (fileName: string) => call<RestoreReport>(D, 'recover', { fileName })
