import { afterEach, describe, expect, it, vi } from 'vitest'
import { ElMessage } from 'element-plus'
import { IpcError } from '../src/ipc'
import { errorText, LONG, notifyError } from '../src/notify'
import { i18n } from '../src/i18n'

afterEach(() => {
  vi.restoreAllMocks()
  ElMessage.closeAll()
  document.body.innerHTML = ''
  i18n.global.locale.value = 'zh-CN'
})

describe('errorText', () => {
  it('is the message the core gave, a plain error\'s message or the string itself', () => {
    expect(errorText(new IpcError({ code: 'file_error', message: '无法读取文件' }))).toBe('无法读取文件')
    expect(errorText(new Error('disk full'))).toBe('disk full')
    expect(errorText({ code: 'conflict', message: '已被修改' })).toBe('已被修改')
    expect(errorText('网络中断')).toBe('网络中断')
  })

  it('falls back to the locale\'s text when there is nothing to say, in the UI\'s language', () => {
    for (const e of [undefined, null, 42, {}, '', '  ', new Error(''), { message: 7 }]) expect(errorText(e)).toBe('操作未成功，请重试。')
    i18n.global.locale.value = 'en'
    expect(errorText(undefined)).toBe('That did not work. Please try again.')
  })
})

describe('notifyError', () => {
  it('shows the text as an Element Plus error, briefly by default', () => {
    const spy = vi.spyOn(ElMessage, 'error')
    notifyError(new IpcError({ code: 'internal', message: '数据库已锁定' }))
    expect(spy).toHaveBeenCalledWith('数据库已锁定')
  })

  it('keeps a long message up with a close button', () => {
    const spy = vi.spyOn(ElMessage, 'error')
    notifyError(new Error('备份文件已损坏'), LONG)
    notifyError('恢复失败', { duration: 10000 })
    expect(spy.mock.calls).toEqual([
      [{ message: '备份文件已损坏', duration: 8000, showClose: true }],
      [{ message: '恢复失败', duration: 10000, showClose: true }],
    ])
  })

  it('puts the message on the page', async () => {
    notifyError(new IpcError({ code: 'file_error', message: '无法读取文件' }))
    await new Promise((r) => setTimeout(r, 0))
    expect(document.querySelector('.el-message--error')?.textContent).toContain('无法读取文件')
  })
})
