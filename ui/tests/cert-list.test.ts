import { describe, expect, it } from 'vitest'
import { byExpiry, certParks, certState, filterCerts } from '../src/views/cert/list'
import type { Certification } from '../src/bindings/Certification'

const cert = (id: number, over: Partial<Certification>): Certification => ({
  id, enterprise_id: id, enterprise_name: '南京甲乙科技有限公司', uscc: '914403001922038216', park: '江宁开发区', sector: '软件和信息服务', kind: 'high_tech_enterprise',
  certificate_no: 'GR202332001234', issued_on: '2023-11-06', expires_on: '2026-11-05', expiry_differs_from_rule: false, level: 'national', source: 'manual',
  batch_id: null, revoked: false, created_at: '2023-11-06T00:00:00Z', ...over,
})

const certs = [
  cert(1, {}),
  cert(2, { enterprise_name: '南京丙丁信息技术有限公司', uscc: '91320114MA1XYZ0001', park: '麒麟科技创新园', certificate_no: 'GR202432009999', expires_on: '2027-12-01' }),
  cert(3, { enterprise_name: '江苏戊己智能科技有限公司', uscc: '91320100MA1ABC0002', park: null, kind: 'tech_sme', certificate_no: '202532010000A', expires_on: null }),
  cert(4, { enterprise_name: '南京庚辛生物医药有限公司', uscc: '91320100MA1DEF0003', revoked: true, expires_on: '2027-01-01' }),
]

describe('the certification register as a list', () => {
  it('marks what expired before today, and what was revoked; no expiry never expires', () => {
    expect(certs.map((c) => certState(c, '2026-12-07'))).toEqual(['expired', '', '', 'revoked'])
    // The last valid day itself is still valid.
    expect(certState(certs[0], '2026-11-05')).toBe('')
    expect(certState(certs[0], '2026-11-06')).toBe('expired')
  })

  it('finds by a part of the name, the code or the certificate number, and by park', () => {
    const ids = (q: string, park = '') => filterCerts(certs, { q, park }).map((c) => c.id)
    expect(ids('丙丁')).toEqual([2])
    expect(ids('ma1 abc')).toEqual([3])
    expect(ids('gr2024')).toEqual([2])
    expect(ids('')).toEqual([1, 2, 3, 4])
    expect(ids('', '江宁开发区')).toEqual([1, 4])
    expect(ids('南京', '麒麟科技创新园')).toEqual([2])
    expect(certParks(certs)).toEqual(['江宁开发区', '麒麟科技创新园'].sort((a, b) => a.localeCompare(b, 'zh-CN')))
  })

  it('sorts by expiry with the open-ended last', () => {
    expect([...certs].sort(byExpiry).map((c) => c.id)).toEqual([1, 4, 2, 3])
  })
})
