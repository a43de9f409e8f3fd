import { call } from '.'
import type { AppStatus } from '../bindings/AppStatus'
import type { OfficeSettings } from '../bindings/OfficeSettings'
import type { CheckReport } from '../bindings/CheckReport'
import type { Lang } from '../bindings/Lang'

const D = 'system'
export const status = () => call<AppStatus>(D, 'status')
export const setLang = (lang: Lang) => call<void>(D, 'set_lang', { lang })
export const finishFirstRun = (demo: boolean) => call<AppStatus>(D, 'finish_first_run', { demo })
export const officeGet = () => call<OfficeSettings>(D, 'office_get')
export const officeSave = (office: OfficeSettings) => call<OfficeSettings>(D, 'office_save', { office })
export const check = () => call<CheckReport>(D, 'check')
