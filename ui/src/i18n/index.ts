import { createI18n } from 'vue-i18n'
import zh from './zh-CN'
import en from './en'

export type AppLang = 'zh-CN' | 'en'

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

export function setLocale(l: AppLang) {
  i18n.global.locale.value = l
  document.documentElement.lang = l
}
