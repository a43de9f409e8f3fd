import { config } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { i18n } from '../src/i18n'

config.global.plugins = [ElementPlus, i18n]

// jsdom lacks these; Element Plus uses them.
class RO {
  observe() {}
  unobserve() {}
  disconnect() {}
}
;(globalThis as unknown as { ResizeObserver: typeof RO }).ResizeObserver = RO
if (!window.matchMedia) {
  window.matchMedia = ((q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {}, onchange: null, dispatchEvent: () => false })) as unknown as typeof window.matchMedia
}
