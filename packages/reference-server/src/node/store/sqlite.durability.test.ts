import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { ConfigError } from '../../config.js'
import { openStore } from '../env.js'

// Durable commits by default: in WAL mode better-sqlite3 runs synchronous=NORMAL, where a power cut can
// lose the last commits, a revocation among them, and bring a revoked session back.

const opened: Database.Database[] = []
vi.mock('../drivers.js', async (original) => {
  const actual = await original<typeof import('../drivers.js')>()
  return {
    ...actual,
    sqliteDriver: () => {
      const Sqlite = actual.sqliteDriver()
      return function Recorded(this: unknown, ...args: ConstructorParameters<typeof Sqlite>) {
        const db = new Sqlite(...args)
        opened.push(db)
        return db
      } as unknown as typeof Sqlite
    },
  }
})

const dir = mkdtempSync(join(tmpdir(), 'leash-sync-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function synchronousOf(env: Record<string, string>, name: string) {
  const { store } = await openStore(`sqlite:${join(dir, name)}`, () => {}, env)
  try {
    const db = opened.at(-1)!
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    return db.pragma('synchronous', { simple: true })
  } finally {
    await store.close()
  }
}

describe('SQLite synchronous', () => {
  it('is FULL (2) by default', async () => {
    expect(await synchronousOf({}, 'default.db')).toBe(2)
    expect(await synchronousOf({ LEASH_SQLITE_SYNCHRONOUS: 'full' }, 'full.db')).toBe(2)
  })

  it('is NORMAL (1) with LEASH_SQLITE_SYNCHRONOUS=normal', async () => {
    expect(await synchronousOf({ LEASH_SQLITE_SYNCHRONOUS: 'normal' }, 'normal.db')).toBe(1)
  })

  it('refuses another value at start', async () => {
    await expect(openStore('sqlite::memory:', () => {}, { LEASH_SQLITE_SYNCHRONOUS: 'off' })).rejects.toThrow(
      ConfigError,
    )
  })
})
