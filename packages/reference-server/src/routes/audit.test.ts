import type { AuditEvent, AuditEventsResponse, AuditEventType } from '@leash/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { operations } from '../openapi/operations.js'
import { seedUsers } from '../seed.js'
import { type TestServer, testServer, USERS } from '../test/harness.js'

// Every state-changing route records its event (with who did it and from where); onEvent gets each once
// it is committed; refusals wait in a buffer; GET /admin/audit pages them.

const STRONG = 'correct horse battery staple 42'
const DANA = { username: 'dana', password: 'dana-password' }
const hasher = createPbkdf2Hasher(1_000)
const as = (h: TestServer, token: string, method: string, path: string, body?: unknown) =>
  h.json(method, path, body, { authorization: `Bearer ${token}`, 'user-agent': 'Audit/1' })
const events = async (h: TestServer): Promise<AuditEvent[]> => {
  await h.app.flushAudit()
  return h.store.listEvents({ limit: 200 })
}
const ids = async (h: TestServer) => ({
  alice: (await h.user('alice')).id,
  bob: (await h.user('bob')).id,
  root: (await h.user('root')).id,
})

/** Each state-changing operation, the event it must record, and the fields that event must carry. */
const successes: Record<
  string,
  (h: TestServer) => Promise<{ type: AuditEventType; expect: Partial<AuditEvent> }>
> = {
  register: async (h) => {
    await h.json('POST', '/auth/register', { username: 'carol', password: STRONG })
    return { type: 'user.registered', expect: { user: (await h.user('carol')).id } }
  },
  login: async (h) => {
    const { session } = await h.login('alice')
    return { type: 'login.succeeded', expect: { user: (await ids(h)).alice, session: session.id } }
  },
  logout: async (h) => {
    const { access_token, session } = await h.login('alice')
    await as(h, access_token, 'POST', '/auth/logout')
    return { type: 'session.signed_out', expect: { session: session.id, actor: (await ids(h)).alice } }
  },
  logoutAll: async (h) => {
    const { access_token } = await h.login('alice')
    await as(h, access_token, 'POST', '/auth/logout-all')
    return { type: 'user.signed_out_everywhere', expect: { user: (await ids(h)).alice } }
  },
  reauthenticate: async (h) => {
    const { access_token, session } = await h.login('alice')
    const res = await as(h, access_token, 'POST', '/auth/reauthenticate', { password: 'alice-password' })
    expect(res.status).toBe(200)
    const alice = (await ids(h)).alice
    return { type: 'session.reauthenticated', expect: { user: alice, actor: alice, session: session.id } }
  },
  changePassword: async (h) => {
    const { access_token } = await h.login('alice')
    const body = { current_password: 'alice-password', new_password: STRONG }
    expect((await as(h, access_token, 'POST', '/auth/password', body)).status).toBe(200)
    return { type: 'password.changed', expect: { user: (await ids(h)).alice, actor: (await ids(h)).alice } }
  },
  revokeSession: async (h) => {
    const other = await h.login('alice')
    const { access_token } = await h.login('alice')
    await as(h, access_token, 'DELETE', `/auth/sessions/${other.session.id}`)
    const alice = (await ids(h)).alice
    return { type: 'session.revoked', expect: { session: other.session.id, actor: alice, user: alice } }
  },
  ...Object.fromEntries(
    (
      [
        ['disableUser', 'POST', 'disable', 'user.disabled'],
        ['enableUser', 'POST', 'enable', 'user.enabled'],
        ['revokeUser', 'POST', 'revoke', 'user.sessions_revoked'],
        ['changeRole', 'PATCH', '', 'user.role_changed'],
      ] as const
    ).map(([id, method, action, type]) => [
      id,
      async (h: TestServer) => {
        const { bob, root } = await ids(h)
        const token = (await h.login('root')).access_token
        const path = action ? `/admin/users/${bob}/${action}` : `/admin/users/${bob}`
        expect((await as(h, token, method, path, action ? undefined : { role: 'admin' })).status).toBe(200)
        return { type, expect: { user: bob, actor: root, user_agent: 'Audit/1', address: '127.0.0.1' } }
      },
    ]),
  ),
  // An account with an address: seeded (verified), then marked unverified where a case needs it.
  verifyEmail: async (h) => {
    await h.json('POST', '/auth/register', {
      username: 'carol',
      password: STRONG,
      email: 'carol@example.com',
    })
    await h.app.flushMail()
    const token = h.mailbox.last('carol@example.com')!.token
    expect((await h.json('POST', '/auth/email/verify', { token })).status).toBe(200)
    return { type: 'email.verified', expect: { user: (await h.user('carol')).id } }
  },
  resendVerification: async (h) => {
    await seedUsers(h.store, hasher, [{ ...DANA, email: 'dana@example.com' }], 0)
    const dana = (await h.user('dana')).id
    await h.store.updateUser(dana, { emailVerified: false })
    const { access_token } = await h.login('dana')
    expect((await as(h, access_token, 'POST', '/auth/email/resend')).status).toBe(200)
    return { type: 'email.verification_sent', expect: { user: dana, actor: dana, user_agent: 'Audit/1' } }
  },
  forgotPassword: async (h) => {
    await seedUsers(h.store, hasher, [{ ...DANA, email: 'dana@example.com' }], 0)
    await h.resetToken('dana@example.com')
    return { type: 'password.reset_requested', expect: { user: (await h.user('dana')).id } }
  },
  resetPassword: async (h) => {
    await seedUsers(h.store, hasher, [{ ...DANA, email: 'dana@example.com' }], 0)
    const token = await h.resetToken('dana@example.com')
    expect((await h.json('POST', '/auth/password/reset', { token, password: STRONG })).status).toBe(200)
    return { type: 'password.reset', expect: { user: (await h.user('dana')).id, address: '127.0.0.1' } }
  },
  revokeAll: async (h) => {
    const token = (await h.login('root')).access_token
    await as(h, token, 'POST', '/admin/revoke-all')
    return { type: 'sessions.revoked_all', expect: { actor: (await ids(h)).root } }
  },
}
/** State-changing operations that record no event of their own, and why. */
const exempt: Record<string, string> = {
  refresh: 'a rotation is routine and on the latency path; its security decision (reuse) is recorded',
  addNote: 'the demo’s own data, not a security decision',
}

describe('every state-changing route records its event', () => {
  it('has a case for every operation that changes state', () => {
    const changing = operations.filter((op) => op.method !== 'get').map((op) => op.id)
    const missing = changing.filter((id) => !(id in successes) && !(id in exempt))
    expect(missing, `operations without an audit case: ${missing.join(', ')}`).toEqual([])
  })

  it.each(Object.keys(successes))('%s', async (id) => {
    const h = await testServer()
    const { type, expect: fields } = await successes[id]!(h)
    const found = (await events(h)).filter((e) => e.type === type)
    expect(found, `no ${type} event`).toEqual([expect.objectContaining({ ...fields, version: 1 })])
  })

  it('a sign-in beyond the session cap records the ended session, by the cap', async () => {
    const h = await testServer({ config: { maxSessions: 1 } })
    const first = await h.login('alice')
    await h.login('alice')
    const revoked = (await events(h)).filter((e) => e.type === 'session.revoked')
    expect(revoked).toEqual([expect.objectContaining({ session: first.session.id, actor: 'session_cap' })])
  })

  it('a refused refresh names the session and user its token was of', async () => {
    const h = await testServer()
    const { refresh_token, session, access_token } = await h.login('alice')
    await as(h, access_token, 'POST', '/auth/logout')
    expect((await h.refresh(refresh_token!)).status).toBe(401)
    const failed = (await events(h)).filter((e) => e.type === 'refresh.failed')
    const alice = (await ids(h)).alice
    expect(failed).toEqual([
      expect.objectContaining({ code: 'session_revoked', session: session.id, user: alice }),
    ])
  })

  it('a refresh-token logout records the sign-out in its own transaction', async () => {
    const h = await testServer()
    const { refresh_token, session } = await h.login('alice')
    await h.json('POST', '/auth/logout', { refresh_token })
    expect((await h.store.listEvents({ limit: 10, type: 'session.signed_out' }))[0]?.session).toBe(session.id)
  })
})

describe('onEvent and the refusal buffer', () => {
  afterEach(() => vi.useRealTimers())

  it('ships each event after its commit; what it throws or rejects with is logged, never answered', async () => {
    const shipped: AuditEvent[] = []
    const logged: unknown[] = []
    let fail: 'throw' | 'reject' | null = null
    const h = await testServer({
      log: (entry) => logged.push(entry),
      onEvent: (event) => {
        shipped.push(event)
        if (fail === 'throw') throw new Error('collector down')
        if (fail === 'reject') return Promise.reject(new Error('collector down'))
      },
    })
    await h.login('alice')
    expect(shipped.map((e) => e.type)).toEqual(['login.succeeded'])
    expect(await h.store.listEvents({ limit: 10 })).toEqual(shipped)
    fail = 'throw'
    expect((await h.json('POST', '/auth/login', { username: 'bob', password: 'bob-password' })).status).toBe(
      200,
    )
    fail = 'reject'
    expect((await h.json('POST', '/auth/login', { username: 'bob', password: 'bob-password' })).status).toBe(
      200,
    )
    await Promise.resolve()
    expect(logged.filter((l) => (l as { msg?: string }).msg === 'onEvent failed')).toHaveLength(2)
    // A refusal: shipped once its batch is written.
    fail = null
    await h.json('POST', '/auth/login', { username: 'alice', password: 'wrong-password' })
    expect(shipped.at(-1)?.type).toBe('login.succeeded')
    await h.app.flushAudit()
    expect(shipped.at(-1)).toMatchObject({ type: 'login.failed', code: 'invalid_credentials' })
  })

  it('writes refusals within a second, or at once at 100', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const h = await testServer({ config: { loginRate: 1000, ipRate: 1000, accountRate: 1000 } })
    const wrong = () => h.json('POST', '/auth/login', { username: 'alice', password: 'wrong-password' })
    await wrong()
    expect(await h.store.listEvents({ limit: 200 })).toEqual([])
    await vi.advanceTimersByTimeAsync(1000)
    expect(await h.store.listEvents({ limit: 200 })).toHaveLength(1)
    for (let i = 0; i < 100; i++) await wrong()
    expect(await h.store.listEvents({ limit: 200 })).toHaveLength(101)
  })
})

describe('GET /admin/audit', () => {
  it('pages newest first with next, filters by user and type, and is for admins only', async () => {
    const h = await testServer({ users: USERS })
    for (let i = 0; i < 3; i++) await h.login('alice')
    const root = (await h.login('root')).access_token
    const { alice } = await ids(h)
    const get = async (query: string) => {
      const res = await as(h, root, 'GET', `/admin/audit${query}`)
      return { status: res.status, body: (await res.json()) as AuditEventsResponse }
    }
    const first = await get(`?user=${alice}&type=login.succeeded&limit=2`)
    expect(first.body.events).toHaveLength(2)
    expect(first.body.next).not.toBeNull()
    const second = await get(`?user=${alice}&type=login.succeeded&limit=2&before=${first.body.next}`)
    expect(second.body.events).toHaveLength(1)
    expect(second.body.next).toBeNull()
    const all = [...first.body.events, ...second.body.events]
    expect(new Set(all.map((e) => e.id)).size).toBe(3)
    expect(all.every((e) => e.user === alice && e.type === 'login.succeeded')).toBe(true)
    expect((await get('')).body.events.length).toBe(4) // root's sign-in too
    expect((await get('?limit=201')).status).toBe(400)
    expect((await get('?type=no.such')).status).toBe(400)
    const user = (await h.login('bob')).access_token
    expect((await as(h, user, 'GET', '/admin/audit')).status).toBe(403)
  })
})
