import { describe, expect, it } from 'vitest'
import { createMemoryRateLimiter, KNOWN_FOR_MS, KNOWN_SOURCES, WINDOW_MS } from './rate-limit.js'

// The account budget of the memory limiter: a bounded, expiring set of known sources per account.

describe('memory limiter: the account budget', () => {
  it('counts unknown sources, not known ones; a sign-in gives back the attempt it was counted for', async () => {
    const limiter = createMemoryRateLimiter()
    const t = 1_000_000
    expect(await limiter.attemptAccount('alice', 'a', 2, t)).toEqual({ ok: true })
    await limiter.signedIn('alice', 'a', t) // given back: a is known now
    expect(await limiter.attemptAccount('alice', 'b', 2, t)).toEqual({ ok: true })
    expect(await limiter.attemptAccount('alice', 'c', 2, t)).toEqual({ ok: true })
    expect(await limiter.attemptAccount('alice', 'd', 2, t)).toEqual({ ok: false, retryAfter: 60 })
    for (let i = 0; i < 5; i++) expect(await limiter.attemptAccount('alice', 'a', 2, t)).toEqual({ ok: true })
    expect(await limiter.attemptAccount('bob', 'd', 2, t)).toEqual({ ok: true }) // another account
    expect(await limiter.attemptAccount('alice', 'd', 2, t + WINDOW_MS)).toEqual({ ok: true })
  })

  it(`remembers the ${KNOWN_SOURCES} most recent sources, for ${KNOWN_FOR_MS / 86_400_000} days`, async () => {
    const limiter = createMemoryRateLimiter()
    const t = 1_000_000
    for (let i = 0; i <= KNOWN_SOURCES; i++) await limiter.signedIn('alice', `s${i}`, t + i)
    const spend = async (now: number) => {
      while ((await limiter.attemptAccount('alice', 'attacker', 1, now)).ok);
    }
    await spend(t)
    expect((await limiter.attemptAccount('alice', 's0', 1, t)).ok).toBe(false) // the oldest, forgotten
    expect((await limiter.attemptAccount('alice', `s${KNOWN_SOURCES}`, 1, t)).ok).toBe(true)
    const later = t + KNOWN_FOR_MS + KNOWN_SOURCES
    await spend(later)
    expect((await limiter.attemptAccount('alice', `s${KNOWN_SOURCES}`, 1, later)).ok).toBe(false)
  })

  it('bounds the accounts it remembers', async () => {
    const limiter = createMemoryRateLimiter(3)
    for (const account of ['a', 'b', 'c', 'd']) await limiter.signedIn(account, 'x', 0)
    expect((await limiter.attemptAccount('a', 'x', 1, 0)).ok).toBe(true) // counted: a was dropped
    expect((await limiter.attemptAccount('a', 'x', 1, 0)).ok).toBe(false)
    expect((await limiter.attemptAccount('d', 'x', 1, 0)).ok).toBe(true)
    expect((await limiter.attemptAccount('d', 'x', 1, 0)).ok).toBe(true) // still known
  })
})
