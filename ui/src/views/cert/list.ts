// The certification register as a list to work with: search by name, code or certificate number,
// a park filter, sorting, and which certificates have expired (or were revoked) as of today.
import type { Certification } from '../../bindings/Certification'

export type CertFilter = { q: string; park: string }

export function filterCerts(certs: Certification[], f: CertFilter): Certification[] {
  const s = f.q.trim()
  const code = s.replace(/\s+/g, '').toUpperCase()
  return certs.filter(
    (c) =>
      (!f.park || c.park === f.park) &&
      (!s || c.enterprise_name.includes(s) || (code.length > 0 && (c.uscc.toUpperCase().includes(code) || c.certificate_no.toUpperCase().includes(code)))),
  )
}

/** 已撤销, 已过期 (the last valid day is before `today`, YYYY-MM-DD), or valid (''). */
export function certState(c: Certification, today: string): '' | 'expired' | 'revoked' {
  if (c.revoked) return 'revoked'
  return c.expires_on !== null && c.expires_on < today ? 'expired' : ''
}

export function certParks(certs: Certification[]): string[] {
  return [...new Set(certs.map((c) => c.park).filter((p): p is string => !!p))].sort((a, b) => a.localeCompare(b, 'zh-CN'))
}

export const byEnterprise = (a: Certification, b: Certification) => a.enterprise_name.localeCompare(b.enterprise_name, 'zh-CN')
/** Dates as text sort as dates; no expiry (valid until revoked) last. */
export const byExpiry = (a: Certification, b: Certification) => (a.expires_on ?? '9999').localeCompare(b.expires_on ?? '9999')
export const byIssued = (a: Certification, b: Certification) => a.issued_on.localeCompare(b.issued_on)
