import { defineConfig, type Plugin } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Tauri's `freezePrototype` freezes Object.prototype before our scripts run. A library that then
// assigns `proto.valueOf = …` on its own prototype object hits the "override mistake" and throws
// (dayjs, used by Element Plus, does; so do ECharts and zrender). This rewrites such assignments in those libraries into an
// own-property definition first, which is what the code meant. Checked by the end-to-end tests,
// which run the real window with freezePrototype on.
const OVERRIDDEN = /(\b[\w$]+)\.(valueOf|toString|toLocaleString|toJSON|constructor|hasOwnProperty|isPrototypeOf|propertyIsEnumerable)\s*=(?!=)/g
const PROLOGUE =
  'var __hqOwn=function(o,k){if(o&&!Object.prototype.hasOwnProperty.call(o,k))Object.defineProperty(o,k,{value:void 0,writable:true,configurable:true,enumerable:false});return o};\n'
export function freezeSafe(code: string): string | null {
  if (!OVERRIDDEN.test(code)) return null
  OVERRIDDEN.lastIndex = 0
  return PROLOGUE + code.replace(OVERRIDDEN, (_m, obj: string, key: string) => `__hqOwn(${obj},"${key}").${key}=`)
}
function freezePrototypeSafe(): Plugin {
  return {
    name: 'huiqi-freeze-prototype-safe',
    enforce: 'pre',
    transform(code, id) {
      if (!/node_modules[\\/](dayjs|lodash-es|echarts|zrender)[\\/]/.test(id)) return null
      const out = freezeSafe(code)
      return out === null ? null : { code: out, map: null }
    },
  }
}

// The app is served by Tauri's custom protocol from ui/dist; nothing is loaded from a network.
export default defineConfig({
  plugins: [freezePrototypeSafe(), vue()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: 'safari15',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
  },
})
