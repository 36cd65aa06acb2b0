import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Bus } from './bus/types.js'
import { createRedisBus } from './node/bus/redis.js'
import { createPostgresStore } from './node/store/postgres.js'
import { nodeCodec } from './node/tokens/node-codec.js'
import type { Store, UserRecord } from './store/types.js'
import {
  call,
  GLOBAL_SECRET,
  type Instance,
  login,
  openSchema,
  seed,
  startInstance,
  until,
} from './test/cluster.js'
import { databaseUrl, dropSchema, freshSchema, redisUrl, skipWithout } from './test/services.js'
import { createVerifier, type Verifier } from './verifier.js'

// A second service that never issues tokens: `createVerifier` over the auth server's PostgreSQL, Redis and
// global secret. The auth server is the real program in a child process; whatever it revokes, the service
// refuses at its very next request, round after round, with its cache warm (the bus acknowledgement, not a
// cache miss, is what makes it so). Skipped unless LEASH_TEST_DATABASE_URL and LEASH_TEST_REDIS_URL are set.

const skip = skipWithout(['database', 'redis'], 'second-service')

describe.skipIf(skip)(
  `a second service on the auth server's PostgreSQL + Redis${skip ? ` (${skip})` : ''}`,
  () => {
    const schema = freshSchema()
    let seeding: Store
    let auth: Instance
    let store: Store
    let bus: Bus
    let verifier: Verifier & { close(): void }
    let user: UserRecord
    /** The service's store reads of users and sessions: what a warm cache spares. */
    const reads = { count: 0 }

    beforeAll(async () => {
      seeding = await openSchema(databaseUrl!, schema)
      await seed(seeding, ['root'], 'admin')
      user = (await seed(seeding, ['carol']))[0]!
      auth = await startInstance('auth', {
        LEASH_DATABASE: `${databaseUrl}?schema=${schema}`,
        LEASH_REDIS_URL: redisUrl!,
      })
      const postgres = createPostgresStore({ url: databaseUrl!, schema, max: 4 })
      store = {
        ...postgres,
        // This test is about the bus: the outbox relay, which drops each change's target once more when it
        // reads the change's entry (up to 250 ms later, a reload the bus had made needless), is kept out.
        outboxAfter: async () => [],
        findUserById: (id) => {
          reads.count += 1
          return postgres.findUserById(id)
        },
        findSession: (id) => {
          reads.count += 1
          return postgres.findSession(id)
        },
      }
      bus = createRedisBus({ url: redisUrl! })
      verifier = createVerifier({ store, bus, globalSecret: GLOBAL_SECRET, codec: nodeCodec })
      // Until its bus is live the service trusts no cache (every check reads the store): wait, so that what
      // follows is about invalidation.
      await until(async () => bus.live(), 10_000, 'the service’s bus to be live')
    }, 60_000)

    afterAll(async () => {
      verifier?.close()
      await auth?.stop()
      await Promise.all([bus?.close(), store?.close(), seeding?.close()])
      await dropSchema(schema)
    }, 30_000)

    it('refuses at its very next request what the auth server ended: 150 rounds of logout, revoke and disable', async () => {
      const root = await login(auth.url, 'root')
      const refusals: Record<string, number> = {}
      for (let n = 0; n < 150; n++) {
        const t = await login(auth.url, 'carol')
        const authorization = `Bearer ${t.access}`
        expect((await verifier.verify(authorization)).ok).toBe(true)
        const before = reads.count
        expect((await verifier.verify(authorization)).ok).toBe(true)
        expect(reads.count, 'the second check is answered from the cache').toBe(before)

        const [ending, expected] = (
          [
            [() => call(auth.url, 'POST', '/auth/logout', { token: t.access }), 'session_revoked'],
            [
              () => call(auth.url, 'POST', `/admin/users/${user.id}/revoke`, { token: root.access }),
              'invalid_token',
            ],
            [
              () => call(auth.url, 'POST', `/admin/users/${user.id}/disable`, { token: root.access }),
              'user_disabled',
            ],
          ] as const
        )[n % 3]!
        expect((await ending()).status).toBe(200)
        // Sent the moment the auth server answered.
        const verdict = await verifier.verify(authorization)
        expect(verdict, `round ${n}`).toMatchObject({ ok: false, code: expected })
        refusals[expected] = (refusals[expected] ?? 0) + 1
        if (expected === 'user_disabled')
          expect(
            (await call(auth.url, 'POST', `/admin/users/${user.id}/enable`, { token: root.access })).status,
          ).toBe(200)
      }
      expect(refusals).toEqual({ session_revoked: 50, invalid_token: 50, user_disabled: 50 })
    }, 120_000)

    it('revoke-all on the auth server: the service refuses every token at once, the caller’s too', async () => {
      const root = await login(auth.url, 'root')
      const carol = await login(auth.url, 'carol')
      for (const t of [root, carol]) expect((await verifier.verify(`Bearer ${t.access}`)).ok).toBe(true)
      expect((await call(auth.url, 'POST', '/admin/revoke-all', { token: root.access })).status).toBe(200)
      for (const t of [root, carol])
        expect(await verifier.verify(`Bearer ${t.access}`)).toMatchObject({
          ok: false,
          code: 'invalid_token',
        })
      const fresh = await login(auth.url, 'carol')
      expect((await verifier.verify(`Bearer ${fresh.access}`)).ok).toBe(true)
    })
  },
)
