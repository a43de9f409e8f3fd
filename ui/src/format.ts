// Display helpers. Money is integer fen everywhere; these only format and parse what people type,
// exactly (string arithmetic, never a float).

/** 123456789 → "1,234,567.89" */
export function fmtYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return ''
  const neg = fen < 0
  const a = Math.abs(fen)
  const yuan = Math.floor(a / 100).toString()
  const cents = (a % 100).toString().padStart(2, '0')
  return `${neg ? '-' : ''}${group(yuan)}.${cents}`
}

/** 100000 → "100,000" (the same in every locale: WebKit's toLocaleString follows the OS's, "C" has none) */
export function fmtCount(n: number): string {
  return (n < 0 ? '-' : '') + group(Math.abs(Math.trunc(n)).toString())
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Parse a decimal typed by a person into an integer scaled by 10^scale; null if not a number. */
export function parseScaled(text: string, scale: number): number | null {
  const s = text
    .trim()
    .replace(/[０-９．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[,，\s]/g, '')
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null
  const frac = (m[3] ?? '').padEnd(scale + 1, '0')
  const int = BigInt(m[2] || '0') * 10n ** BigInt(scale) + BigInt(frac.slice(0, scale) || '0')
  const rounded = int + (Number(frac[scale]) >= 5 ? 1n : 0n)
  const v = m[1] === '-' ? -rounded : rounded
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) return null
  return Number(v)
}

/** "500.5" 万元 → fen */
export function wanToFen(text: string): number | null {
  const v = parseScaled(text, 6)
  return v === null ? null : v
}

/** fen → "500.5" 万元 (trailing zeros dropped) */
export function fenToWan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return ''
  const neg = fen < 0
  const a = Math.abs(fen)
  const int = Math.floor(a / 1_000_000)
  const frac = (a % 1_000_000).toString().padStart(6, '0').replace(/0+$/, '')
  return `${neg ? '-' : ''}${int}${frac ? '.' + frac : ''}`
}

/** Months, possibly fractional (calendar days): 12 → "12", 11.483870… → "11.48" (at most 2 decimals). */
export function fmtMonths(m: number | null | undefined): string {
  if (m === null || m === undefined || !isFinite(m)) return ''
  return (Math.round(m * 100) / 100).toFixed(2).replace(/\.?0+$/, '')
}

/** Hundredths of a square metre → "250.5" (trailing zeros dropped). */
export function fmtArea(centi: number | null | undefined): string {
  if (centi === null || centi === undefined) return ''
  return (centi / 100).toFixed(2).replace(/\.?0+$/, '')
}

export function fmtTime(iso: string): string {
  const d = new Date(iso)
  if (isNaN(d.getTime())) return iso
  const p = (n: number) => n.toString().padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}
