import { describe, expect, it } from 'vitest'
import type { LogEntry } from './app.js'
import { StoreUnavailableError, UnstorableTextError } from './errors.js'
import { createMemoryStore } from './store/memory.js'
import { expectCode, testServer } from './test/harness.js'

// What the app answers when a store call throws, and what it logs: every 500 and 503 is logged with a
// level (error, warn), so a server run with LEASH_LOG=warn still reports it.

/** A server whose user lookup by name throws `error` once the users are seeded; logins hit it. */
async function failingLogin(error: Error) {
  const store = createMemoryStore()
  const logged: LogEntry[] = []
  const s = await testServer({ store, log: (entry) => logged.push(entry) })
  store.findUserByUsername = () => Promise.reject(error)
  const res = await s.json('POST', '/auth/login', { username: 'alice', password: 'alice-password' })
  return { res, logged }
}

describe('errors a store throws', () => {
  it('an unexpected error: 500 internal_error, logged at level error', async () => {
    const { res, logged } = await failingLogin(new Error('boom'))
    await expectCode(res, 500, 'internal_error')
    expect(logged).toEqual([
      expect.objectContaining({ level: 'error', msg: 'unhandled error', path: '/auth/login' }),
    ])
  })

  it('an unreachable store: 503 store_unavailable with Retry-After, logged at level warn', async () => {
    const { res, logged } = await failingLogin(new StoreUnavailableError(new Error('ECONNREFUSED')))
    expect(res.headers.get('retry-after')).toBe('1')
    await expectCode(res, 503, 'store_unavailable')
    expect(logged).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'store unavailable', error: 'ECONNREFUSED' }),
    ])
  })

  it('text the store cannot hold: 400 invalid_request, never a 500, logged at level warn', async () => {
    const cause = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
    })
    const { res, logged } = await failingLogin(new UnstorableTextError(cause))
    await expectCode(res, 400, 'invalid_request')
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', msg: 'store refused text' })])
  })
})
