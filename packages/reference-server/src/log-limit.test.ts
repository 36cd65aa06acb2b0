import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LogEntry } from './log.js'
import { limitLog } from './log-limit.js'

afterEach(() => vi.useRealTimers())

describe('limitLog', () => {
  it('logs the first occurrence, then one summary per interval with a count, then starts over', () => {
    vi.useFakeTimers()
    const lines: LogEntry[] = []
    const limited = limitLog((e) => lines.push(e), 10_000)
    for (let i = 0; i < 500; i++) limited('down', { level: 'error', msg: 'down', n: i })
    limited('other', { msg: 'other' })
    expect(lines).toEqual([{ level: 'error', msg: 'down', n: 0 }, { msg: 'other' }])
    vi.advanceTimersByTime(10_000)
    expect(lines.slice(2)).toEqual([{ level: 'error', msg: 'down', n: 499, repeated: 499, interval_s: 10 }])
    for (let i = 0; i < 3; i++) limited('down', { level: 'error', msg: 'down', n: i })
    vi.advanceTimersByTime(10_000)
    expect(lines).toHaveLength(4)
    expect(lines[3]).toMatchObject({ repeated: 3 })
    vi.advanceTimersByTime(10_000) // an interval with none: the condition is over
    expect(lines).toHaveLength(4)
    limited('down', { level: 'error', msg: 'down again' })
    expect(lines).toHaveLength(5)
    expect(lines[4]).toEqual({ level: 'error', msg: 'down again' })
  })
})
