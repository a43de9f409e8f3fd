// The enterprise form's model and the checks that need no database (required fields, numbers).
// Everything else is checked by the core (`enterprise:validate`).
import type { EnterpriseInput } from '../../bindings/EnterpriseInput'
import { fenToWan, wanToFen } from '../../format'

export interface FormModel {
  uscc: string
  name: string
  founded_on: string
  capital_wan: string
  park: string
  sector: string
  contact_name: string
  contact_phone: string
  address: string
  notes: string
  high_tech: boolean
}

export function toModel(i: EnterpriseInput): FormModel {
  return {
    uscc: i.uscc ?? '',
    name: i.name ?? '',
    founded_on: i.founded_on ?? '',
    capital_wan: fenToWan(i.registered_capital_fen ?? null),
    park: i.park ?? '',
    sector: i.sector ?? '',
    contact_name: i.contact_name ?? '',
    contact_phone: i.contact_phone ?? '',
    address: i.address ?? '',
    notes: i.notes ?? '',
    high_tech: i.high_tech ?? false,
  }
}

export function toInput(m: FormModel): EnterpriseInput {
  const fen = m.capital_wan.trim() ? wanToFen(m.capital_wan) : null
  return {
    uscc: m.uscc,
    name: m.name,
    founded_on: m.founded_on.trim() || undefined,
    registered_capital_fen: fen ?? undefined,
    park: m.park.trim() || undefined,
    sector: m.sector || undefined,
    contact_name: m.contact_name,
    contact_phone: m.contact_phone,
    address: m.address,
    notes: m.notes,
    high_tech: m.high_tech,
  }
}

export function localErrors(m: FormModel, en: boolean): Record<string, string> {
  const e: Record<string, string> = {}
  if (!m.uscc.trim()) e.uscc = en ? 'Enter the USCC.' : '请填写统一社会信用代码。'
  if (!m.name.trim()) e.name = en ? 'Enter the enterprise name.' : '请填写企业名称。'
  if (m.capital_wan.trim() && wanToFen(m.capital_wan) === null)
    e.registered_capital_fen = en ? 'Registered capital is a number (10k yuan), e.g. 500.' : '注册资本请填写数字（万元），例如 500 或 12.5。'
  return e
}
