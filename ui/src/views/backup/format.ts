// Shared by the backup panel and the recovery screen.
import type { RecordCounts } from '../../bindings/RecordCounts'

export function fmtSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** "52 家企业 · 40 项认定 · 3 笔补贴 · 2 份公文" (what a backup holds). */
export function fmtCounts(c: RecordCounts, t: (k: string, v?: Record<string, unknown>) => string): string {
  const parts: string[] = []
  if (c.enterprises != null) parts.push(t('backup.counts.enterprises', { n: c.enterprises }))
  // Zero counts say nothing: leave them out.
  if (c.certifications) parts.push(t('backup.counts.certifications', { n: c.certifications }))
  if (c.grants) parts.push(t('backup.counts.grants', { n: c.grants }))
  if (c.rewards) parts.push(t('backup.counts.rewards', { n: c.rewards }))
  if (c.notices) parts.push(t('backup.counts.notices', { n: c.notices }))
  return parts.join(' · ')
}
