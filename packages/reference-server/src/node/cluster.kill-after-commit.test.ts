import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../store/types.js'
import {
  call,
  type Instance,
  login,
  openSchema,
  seed,
  serverProgram,
  startInstance,
  until,
} from '../test/cluster.js'
import { databaseUrl, dropSchema, freshSchema, redisUrl, skipWithout } from '../test/services.js'

// Real processes on one PostgreSQL and one Redis: B and C are `leash-server`; A is the test program
// test/crash-instance.ts (never shipped), which says when its revoking commit is done and then publishes
// nothing more. The test SIGKILLs A at that moment: exactly between the commit and the publish. B and C,
// with the session cached, must refuse it at their very next request.

const skip = skipWithout(['database', 'redis'], 'kill -9 between commit and publish')

describe.skipIf(skip)(`kill -9 between commit and publish${skip ? ` (${skip})` : ''}`, () => {
  const schema = freshSchema()
  let store: Store
  let b: Instance
  let c: Instance
  const dying: Instance[] = []

  beforeAll(async () => {
    store = await openSchema(databaseUrl!, schema)
    await seed(store, ['root'], 'admin')
    await seed(store, ['u0', 'u1', 'u2'])
    const env = { LEASH_DATABASE: `${databaseUrl}?schema=${schema}`, LEASH_REDIS_URL: redisUrl! }
    ;[b, c] = await Promise.all([startInstance('B', env), startInstance('C', env)])
    await serverProgram('test/crash-instance.ts')
  }, 60_000)

  afterAll(async () => {
    await Promise.all([b, c, ...dying].filter(Boolean).map((i) => i.stop()))
    await store?.close()
    await dropSchema(schema)
  }, 30_000)

  /** A fresh A; `request` is sent to it, and A is killed the moment it has committed. */
  async function killedAfterCommit(request: (a: Instance) => Promise<unknown>) {
    const a = await startInstance(
      'A',
      { CRASH_DATABASE_URL: databaseUrl!, CRASH_SCHEMA: schema, CRASH_REDIS_URL: redisUrl! },
      { program: await serverProgram('test/crash-instance.ts') },
    )
    dying.push(a)
    void request(a).catch(() => {}) // its connection is reset by the kill
    await until(async () => a.lines.some((l) => l.includes('"msg":"committed"')), 10_000, 'A to commit')
    await a.kill()
  }
  const warm = async (token: string) => {
    for (const i of [b, c, b, c]) expect((await call(i.url, 'GET', '/api/notes', { token })).status).toBe(200)
  }
  const codes = (token: string) =>
    Promise.all([b, c].map(async (i) => (await call(i.url, 'GET', '/api/notes', { token })).body.error?.code))

  it('a revoked session is refused by B and C at their next request; a retry on B answers 404 and B still refuses', async () => {
    const t = await login(b.url, 'u0')
    const other = await login(b.url, 'u0')
    await warm(t.access)
    await killedAfterCommit((a) => call(a.url, 'DELETE', `/auth/sessions/${t.sid}`, { token: t.access }))
    expect(await codes(t.access)).toEqual(['session_revoked', 'session_revoked'])
    const retry = await call(b.url, 'DELETE', `/auth/sessions/${t.sid}`, { token: other.access })
    expect(retry.body.error?.code).toBe('session_not_found')
    expect(await codes(t.access)).toEqual(['session_revoked', 'session_revoked'])
  }, 60_000)

  it('a logout', async () => {
    const t = await login(b.url, 'u1')
    await warm(t.access)
    await killedAfterCommit((a) => call(a.url, 'POST', '/auth/logout', { token: t.access, body: {} }))
    expect(await codes(t.access)).toEqual(['session_revoked', 'session_revoked'])
  }, 60_000)

  it('a disable', async () => {
    const root = await login(b.url, 'root')
    const t = await login(b.url, 'u2')
    await warm(t.access)
    const id = (await store.findUserByUsername('u2'))!.id
    await killedAfterCommit((a) => call(a.url, 'POST', `/admin/users/${id}/disable`, { token: root.access }))
    expect(await codes(t.access)).toEqual(['user_disabled', 'user_disabled'])
  }, 60_000)
})
