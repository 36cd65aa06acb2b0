import { describe, expect, it } from 'vitest'
import { ServerBusyError } from '../errors.js'
import { createHashGate } from './hash-gate.js'
import type { PasswordHasher } from './passwords.js'

/** A hasher whose every call waits until the test finishes it; records how many run at once. */
function manualHasher() {
  const pending: Array<{ finish: (ok: boolean) => void; fail: (e: Error) => void }> = []
  const stats = { started: 0, running: 0, peak: 0 }
  const call = () =>
    new Promise<boolean>((finish, fail) => {
      stats.started += 1
      stats.running += 1
      stats.peak = Math.max(stats.peak, stats.running)
      pending.push({
        finish: (ok) => {
          stats.running -= 1
          finish(ok)
        },
        fail: (e) => {
          stats.running -= 1
          fail(e)
        },
      })
    })
  const hasher: PasswordHasher = {
    hash: () => call().then(() => 'hash'),
    verify: () => call(),
  }
  return { hasher, stats, next: () => pending.shift()! }
}

const settle = () => new Promise((done) => setImmediate(done))

describe('createHashGate', () => {
  it('runs at most `concurrency` at once, queues `queue` more and refuses the rest without hashing', async () => {
    const m = manualHasher()
    const gate = createHashGate(m.hasher, { concurrency: 2, queue: 3 })
    const calls = Array.from({ length: 8 }, (_, i) =>
      (i % 2 ? gate.hash('pw') : gate.verify('pw', 'stored')).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
    )
    await settle()
    expect(m.stats.started).toBe(2)
    const results = calls.slice(5)
    for (const r of await Promise.all(results))
      expect((r as { error: unknown }).error).toBeInstanceOf(ServerBusyError)

    // Each finished hash hands its slot to the next in line; never more than two run.
    for (let done = 0; done < 5; done++) {
      m.next().finish(true)
      await settle()
    }
    expect(m.stats.started).toBe(5)
    expect(m.stats.peak).toBe(2)
    expect(await Promise.all(calls.slice(0, 5))).toEqual([
      { value: true },
      { value: 'hash' },
      { value: true },
      { value: 'hash' },
      { value: true },
    ])
    // Drained: room again.
    const again = gate.verify('pw', 'stored')
    await settle()
    m.next().finish(false)
    expect(await again).toBe(false)
  })

  it('frees the slot when the hasher throws, and passes the error on', async () => {
    const m = manualHasher()
    const gate = createHashGate(m.hasher, { concurrency: 1, queue: 0 })
    const failing = gate.verify('pw', 'stored')
    await expect(gate.verify('pw', 'stored')).rejects.toBeInstanceOf(ServerBusyError)
    m.next().fail(new Error('boom'))
    await expect(failing).rejects.toThrow('boom')
    const next = gate.verify('pw', 'stored')
    await settle()
    m.next().finish(true)
    expect(await next).toBe(true)
  })

  it('tells how long to wait from the hashes timed so far and the work ahead', async () => {
    let t = 0
    const m = manualHasher()
    const gate = createHashGate(m.hasher, { concurrency: 2, queue: 2, now: () => t })
    const retryAfter = async () => {
      const error = await gate.verify('pw', 'x').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ServerBusyError)
      return (error as ServerBusyError).retryAfter
    }
    // Nothing timed yet: a second per round of work ahead (4 ahead, 2 at once: 2 rounds).
    const first = Array.from({ length: 4 }, () => gate.verify('pw', 'x'))
    await settle()
    expect(await retryAfter()).toBe(2)
    // Hashes take 3 s here: 2 rounds ahead → 6 s.
    t += 3000
    m.next().finish(true)
    m.next().finish(true)
    await Promise.all(first.slice(0, 2))
    await settle()
    first.push(gate.verify('pw', 'x'), gate.verify('pw', 'x'))
    await settle()
    expect(await retryAfter()).toBe(6)
    for (let i = 0; i < 4; i++) {
      m.next().finish(true)
      await settle()
    }
    await Promise.all(first)
  })
})
