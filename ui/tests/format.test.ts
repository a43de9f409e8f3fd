import { describe, expect, it } from 'vitest'
import { fenToWan, fmtCount, fmtYuan, parseScaled, wanToFen } from '../src/format'

describe('money display', () => {
  it('formats fen as yuan with separators', () => {
    expect(fmtYuan(123456789)).toBe('1,234,567.89')
    expect(fmtYuan(5)).toBe('0.05')
    expect(fmtYuan(-100000)).toBe('-1,000.00')
    expect(fmtYuan(null)).toBe('')
  })
  it('groups counts the same in every locale', () => {
    expect(fmtCount(100000)).toBe('100,000')
    expect(fmtCount(999)).toBe('999')
    expect(fmtCount(0)).toBe('0')
    expect(fmtCount(-1234567)).toBe('-1,234,567')
  })
  it('parses 万元 exactly, without floats', () => {
    expect(wanToFen('500.5')).toBe(500_500_000)
    expect(wanToFen('０.０１')).toBe(10_000)
    expect(wanToFen('1,000')).toBe(1_000_000_000)
    expect(wanToFen('abc')).toBeNull()
    expect(wanToFen('')).toBeNull()
    expect(parseScaled('0.1', 2)! + parseScaled('0.2', 2)!).toBe(30)
    expect(parseScaled('1.005', 2)).toBe(101)
  })
  it('round-trips fen and 万元', () => {
    for (const f of [0, 1, 500_500_000, 123_456_789, 10_000]) expect(wanToFen(fenToWan(f))).toBe(f)
    expect(fenToWan(500_500_000)).toBe('500.5')
  })
})
