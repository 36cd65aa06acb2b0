import { describe, expect, it } from 'vitest'
import { ConflictError, StoreUnavailableError, UnstorableTextError } from '../../errors.js'
import { freePort } from '../../test/cluster.js'
import {
  databaseUrl,
  dropSchema,
  freshSchema,
  isolatedPostgresStore,
  skipWithout,
} from '../../test/services.js'
import { createPostgresStore, mapPgError } from './postgres.js'

// What the conformance suite cannot show: how the PostgreSQL store fails and starts.

describe('PostgreSQL error mapping', () => {
  it('maps a unique violation to a conflict, SQL bugs to themselves, and everything else to unavailable', () => {
    expect(mapPgError(Object.assign(new Error('dup'), { code: '23505' }))).toBeInstanceOf(ConflictError)
    const syntax = Object.assign(new Error('syntax'), { code: '42601' })
    expect(mapPgError(syntax)).toBe(syntax)
    for (const code of ['22021', '22P05']) {
      expect(mapPgError(Object.assign(new Error('text'), { code }))).toBeInstanceOf(UnstorableTextError)
    }
    for (const code of ['57P01', '08006', '53300', '57014', 'ECONNREFUSED', undefined]) {
      expect(mapPgError(Object.assign(new Error('down'), { code }))).toBeInstanceOf(StoreUnavailableError)
    }
  })

  it('answers StoreUnavailableError, quickly, when nothing listens', async () => {
    const store = createPostgresStore({ url: `postgres://leash:leash@127.0.0.1:${await freePort()}/leash` })
    const started = Date.now()
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(store.findUserById('x')).rejects.toBeInstanceOf(StoreUnavailableError)
    expect(Date.now() - started).toBeLessThan(3_000)
    await store.close()
  })
})

const skip = skipWithout(['database'], 'PostgreSQL migration')
describe.skipIf(skip)(`PostgreSQL migrations${skip ? ` (${skip})` : ''}`, () => {
  it('migrates once when several instances start together, and again is a no-op', async () => {
    const schema = freshSchema()
    const stores = Array.from({ length: 4 }, () => createPostgresStore({ url: databaseUrl!, schema, max: 2 }))
    try {
      await Promise.all(stores.map((s) => s.ready()))
      expect(await stores[0]!.initMeta('k', 'first')).toBe('first')
      const values = await Promise.all(stores.map((s, i) => s.initMeta('race', `v${i}`)))
      expect(new Set(values).size).toBe(1)
      const again = createPostgresStore({ url: databaseUrl!, schema })
      await again.ready()
      expect(await again.getMeta('k')).toBe('first')
      await again.close()
    } finally {
      await Promise.all(stores.map((s) => s.close()))
      await dropSchema(schema)
    }
  })
})

const noText = skipWithout(['database'], 'PostgreSQL text refusal')
describe.skipIf(noText)(`PostgreSQL refusing text${noText ? ` (${noText})` : ''}`, () => {
  it('a NUL that reaches a query rejects with UnstorableTextError, not an SQL error', async () => {
    const store = isolatedPostgresStore()
    try {
      await expect(store.findUserByUsername('a\u0000b')).rejects.toBeInstanceOf(UnstorableTextError)
      await expect(store.findUserById('a\u0000b')).rejects.toBeInstanceOf(UnstorableTextError)
      await expect(store.findSession('a\u0000b')).rejects.toBeInstanceOf(UnstorableTextError)
      await expect(store.ping()).resolves.toBeUndefined()
    } finally {
      await store.close()
    }
  })
})
