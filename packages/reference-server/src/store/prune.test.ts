import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../node/store/sqlite.js'
import { isolatedPostgresStore, skipWithout } from '../test/services.js'
import { createMemoryStore } from './memory.js'
import { pruneInBatches } from './prune.js'
import type { Store } from './types.js'

// Pruning in batches: a store with many ended sessions is emptied of them in statements of at most
// `batch` rows, with the event loop given back between them, and the live sessions stay.

const dir = mkdtempSync(join(tmpdir(), 'leash-prune-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const stores: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['sqlite (file)', () => createSqliteStore(join(dir, `prune-${Math.random()}.db`))],
]
if (!skipWithout(['database'], 'PostgreSQL prune')) stores.push(['postgres', isolatedPostgresStore])

describe.each(stores)('pruneInBatches on %s', (_, make) => {
  it('deletes every ended session, at most `batch` per statement, yielding between', async () => {
    const store = make()
    try {
      await store.createUser({
        id: 'u1',
        username: 'alice',
        passwordHash: 'h',
        role: 'user',
        enabled: true,
        secret: 's',
        createdAt: 0,
        email: null,
        emailVerified: false,
      })
      const session = (i: number, ended: boolean) => ({
        id: `${ended ? 'old' : 'live'}-${i}`,
        userId: 'u1',
        createdAt: 1000,
        lastRefreshAt: 1000,
        absoluteExpiresAt: ended ? 2000 : 10_000_000,
        authTime: 1000,
        transport: 'body' as const,
        userAgent: null,
        endedAt: null,
        endReason: null,
      })
      for (let i = 0; i < 1_234; i++) await store.createSession(session(i, true), `hash-old-${i}`)
      for (let i = 0; i < 3; i++) await store.createSession(session(i, false), `hash-live-${i}`)
      const perCall: number[] = []
      const prune = store.prune.bind(store)
      store.prune = async (before, limit) => {
        const n = await prune(before, limit)
        perCall.push(n)
        return n
      }
      let pauses = 0
      const result = await pruneInBatches(store, 5000, {
        batch: 500,
        pause: async () => {
          pauses += 1
        },
      })
      expect(result).toEqual({ deleted: 1_234, statements: 3 })
      expect(perCall).toEqual([500, 500, 234])
      expect(pauses).toBe(2)
      expect(await store.findRefreshFamily('hash-old-7')).toBeNull()
      expect(await store.findRefreshFamily('hash-live-1')).not.toBeNull()
      expect(await store.prune(5000)).toBe(0)
    } finally {
      await store.close()
    }
  }, 20_000)
})
