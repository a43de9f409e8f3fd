import { call } from '.'
import type { Policy } from '../bindings/Policy'
import type { Clause } from '../bindings/Clause'
import type { ClauseEdit } from '../bindings/ClauseEdit'
import type { ClauseListing } from '../bindings/ClauseListing'
import type { Program } from '../bindings/Program'
import type { Budget } from '../bindings/Budget'

const D = 'policy'
export const info = () => call<Policy>(D, 'info')
export const clauses = (query?: string) => call<Clause[]>(D, 'clauses', { query: query ?? null })
export const clauseVersions = (article: number) => call<Clause[]>(D, 'clause_versions', { article })
export const clauseEdit = (article: number, edit: ClauseEdit) => call<Clause>(D, 'clause_edit', { article, edit })
/** Enter (paste) the official Chinese text of a clause: a new version; only it is quoted in notices. */
export const clauseOfficial = (article: number, text: string) => call<Clause>(D, 'clause_official', { article, text })
/** The clauses notices cite whose official text is not entered yet. */
export const clausesMissing = () => call<ClauseListing[]>(D, 'clauses_missing')
export const programs = () => call<Program[]>(D, 'programs')
export const budgets = (year: number) => call<Budget[]>(D, 'budgets', { year })
export const budgetSet = (code: string, year: number, allocated: number) => call<Budget>(D, 'budget_set', { code, year, allocated })
/** A reward program's amount in fen (null: not set), within the clause's cap. */
export const programAmountSet = (code: string, amount: number | null) => call<Program>(D, 'program_amount_set', { code, amount })
