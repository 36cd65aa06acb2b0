import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../store/types.js'
import { call, type Instance, openSchema, startInstance } from '../test/cluster.js'
import { databaseUrl, dropSchema, freshSchema, redisUrl, skipWithout } from '../test/services.js'
import { type SmtpSink, startSmtpSink } from '../test/smtp-sink.js'

// Two server processes on one PostgreSQL and one Redis, mailing through a real SMTP server: a password
// reset on A kills the user's tokens on B at B's very next request, and the forgot limit per address is
// counted across both instances.

const skip = skipWithout(['database', 'redis'], 'two-instance recovery')
const STRONG = 'correct horse battery staple 42'

describe.skipIf(skip)(`password reset across two instances${skip ? ` (${skip})` : ''}`, () => {
  const schema = freshSchema()
  let store: Store
  let sink: SmtpSink
  let a: Instance
  let b: Instance

  beforeAll(async () => {
    store = await openSchema(databaseUrl!, schema)
    sink = await startSmtpSink()
    const env = {
      LEASH_DATABASE: `${databaseUrl}?schema=${schema}`,
      LEASH_REDIS_URL: redisUrl!,
      LEASH_SMTP_URL: sink.url,
      LEASH_PUBLIC_ORIGIN: 'https://app.example',
      LEASH_RECOVERY_RATE: '3',
      // This run's own names: the limits live in the shared Redis for an hour.
      LEASH_SEED_USERS: `carol_${schema}:carol-password:user:carol-${schema}@example.com`,
    }
    a = await startInstance('A', env)
    b = await startInstance('B', env)
  }, 60_000)

  afterAll(async () => {
    await Promise.all([a, b].map((i) => i?.stop()))
    await sink?.close()
    await store?.close()
    await dropSchema(schema)
  }, 30_000)

  const carol = () => `carol_${schema}`
  const address = () => `carol-${schema}@example.com`
  const notes = (i: Instance, token: string) => call(i.url, 'GET', '/api/notes', { token })

  it('a reset on A: B refuses the old access token and refresh token at its next request', async () => {
    const phone = await call(b.url, 'POST', '/auth/login', {
      body: { username: carol(), password: 'carol-password', refresh_transport: 'body' },
    })
    const access = phone.body.access_token as string
    expect((await notes(b, access)).status).toBe(200) // B has carol cached
    const before = sink.count(address())
    expect((await call(a.url, 'POST', '/auth/password/forgot', { body: { email: address() } })).status).toBe(
      200,
    )
    const mail = await sink.next(address(), before)
    const token = new URL(/https:\/\/\S+/.exec(mail.text ?? '')![0]).searchParams.get('token')!
    const reset = await call(a.url, 'POST', '/auth/password/reset', { body: { token, password: STRONG } })
    expect(reset.status).toBe(200)
    const refused = await notes(b, access)
    expect(refused.status).toBe(401)
    expect(refused.body.error?.code).toBe('invalid_token')
    const refresh = await call(b.url, 'POST', '/auth/refresh', {
      body: { refresh_token: phone.body.refresh_token },
    })
    expect(refresh.status).toBe(401)
    // The link is spent on every instance; the new password works on both.
    const again = await call(b.url, 'POST', '/auth/password/reset', { body: { token, password: STRONG } })
    expect(again.body.error?.code).toBe('invalid_reset_token')
    const fresh = await call(b.url, 'POST', '/auth/login', { body: { username: carol(), password: STRONG } })
    expect(fresh.status).toBe(200)
  }, 30_000)

  it('the per-address forgot limit is counted across instances, for an address with no account too', async () => {
    const nobody = `nobody-${schema}@example.com`
    const statuses = []
    for (const i of [a, b, a, b]) {
      statuses.push((await call(i.url, 'POST', '/auth/password/forgot', { body: { email: nobody } })).status)
    }
    expect(statuses).toEqual([200, 200, 200, 429])
  })
})
