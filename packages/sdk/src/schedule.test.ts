import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { deadline, MAX_DELAY, sleep } from './schedule.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

test('no timer is ever armed for more than 2^31-1 ms, and a far deadline still fires on time', async () => {
  const spy = vi.spyOn(globalThis, 'setTimeout')
  const fire = vi.fn()
  const d = deadline(Date.now, fire)
  const far = 40 * 24 * 3_600_000 // 40 days: past what setTimeout can hold
  d.set(Date.now() + far)
  for (const call of spy.mock.calls) expect(call[1]).toBeLessThanOrEqual(MAX_DELAY)
  await vi.advanceTimersByTimeAsync(far - 1)
  expect(fire).not.toHaveBeenCalled()
  await vi.advanceTimersByTimeAsync(1)
  expect(fire).toHaveBeenCalledTimes(1)
  for (const call of spy.mock.calls) expect(call[1]).toBeLessThanOrEqual(MAX_DELAY)
})

test('check() fires a deadline the clock has passed even if no timer ran (sleep, throttled tab)', () => {
  let now = 1_000
  const fire = vi.fn()
  const d = deadline(() => now, fire)
  d.set(61_000)
  now = 100_000 // time passed while timers were frozen
  d.check()
  expect(fire).toHaveBeenCalledTimes(1)
  d.check()
  expect(fire).toHaveBeenCalledTimes(1)
})

test('a timer that wakes early (clock behind) re-arms instead of firing', async () => {
  let lag = 0
  const fire = vi.fn()
  const d = deadline(() => Date.now() - lag, fire)
  d.set(Date.now() + 10_000)
  lag = 5_000
  await vi.advanceTimersByTimeAsync(10_000)
  expect(fire).not.toHaveBeenCalled()
  await vi.advanceTimersByTimeAsync(5_000)
  expect(fire).toHaveBeenCalledTimes(1)
})

test('set(null) disarms; sleep rejects when aborted and leaves no timer', async () => {
  const fire = vi.fn()
  const d = deadline(Date.now, fire)
  d.set(Date.now() + 1_000)
  d.set(null)
  await vi.advanceTimersByTimeAsync(2_000)
  expect(fire).not.toHaveBeenCalled()
  const controller = new AbortController()
  const slept = sleep(10_000, controller.signal)
  controller.abort(new Error('stop'))
  await expect(slept).rejects.toThrow('stop')
  expect(vi.getTimerCount()).toBe(0)
})
