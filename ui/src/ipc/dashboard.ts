import { call } from '.'
import type { Dashboard } from '../bindings/Dashboard'

export const load = () => call<Dashboard>('dashboard', 'load')
