import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConfigError } from '../config.js'
import { appFromEnv } from './app-from-env.js'
import { OUTBOX_RETENTION_MS, pruneIntervalFrom } from './prune-schedule.js'

// The first prune runs soon after start (a process restarted more often than the interval used to never
// prune), then every LEASH_PRUNE_INTERVAL.

const env = {
  LEASH_DATABASE: 'sqlite::memory:',
  LEASH_GLOBAL_SECRET: 'prune-schedule-test-global-secret-0123456789',
}

afterEach(() => vi.useRealTimers())

describe('pruning schedule', () => {
  it('prunes 30 s after start, then every LEASH_PRUNE_INTERVAL', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] })
    const leash = await appFromEnv({ ...env, LEASH_PRUNE_INTERVAL: '600' }, { quiet: true })
    try {
      const calls: number[] = []
      const prune = leash.store.prune.bind(leash.store)
      leash.store.prune = (before, limit) => {
        calls.push(limit ?? -1)
        return prune(before, limit)
      }
      await vi.advanceTimersByTimeAsync(29_000)
      expect(calls).toEqual([])
      await vi.advanceTimersByTimeAsync(1_000)
      expect(calls).toEqual([500])
      await vi.advanceTimersByTimeAsync(600_000)
      expect(calls).toEqual([500, 500])
    } finally {
      await leash.close()
    }
  })

  it('prunes the outbox with the sessions, keeping its last hour', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] })
    const leash = await appFromEnv(env, { quiet: true })
    try {
      const store = leash.store
      await store.createUser({
        id: 'u1',
        username: 'carol',
        passwordHash: 'x',
        role: 'user',
        enabled: true,
        secret: 's',
        createdAt: 0,
        email: null,
        emailVerified: false,
      })
      const ended = (id: string, at: number) =>
        store
          .createSession(
            {
              id,
              userId: 'u1',
              createdAt: at,
              lastRefreshAt: at,
              absoluteExpiresAt: Date.now() + 86_400_000,
              authTime: at,
              transport: 'body',
              userAgent: null,
              endedAt: null,
              endReason: null,
            },
            `t-${id}`,
          )
          .then(() => store.endSession(id, 'logout', at))
      await ended('old', Date.now() - OUTBOX_RETENTION_MS - 1_000)
      await ended('new', Date.now() - OUTBOX_RETENTION_MS + 60_000)
      await vi.advanceTimersByTimeAsync(30_000)
      expect((await store.outboxAfter(0, 10)).map((e) => e.message)).toEqual([{ kind: 'session', id: 'new' }])
    } finally {
      await leash.close()
    }
  })

  it('reads LEASH_PRUNE_INTERVAL in seconds, default an hour', () => {
    expect(pruneIntervalFrom({})).toBe(3_600_000)
    expect(pruneIntervalFrom({ LEASH_PRUNE_INTERVAL: '60' })).toBe(60_000)
    expect(() => pruneIntervalFrom({ LEASH_PRUNE_INTERVAL: '1h' })).toThrow(ConfigError)
  })
})
