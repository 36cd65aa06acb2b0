import { type AuditEvent, type AuditEventType, auditEventTable, type ErrorCode } from '@leash/protocol'
import { describe, expect, it } from 'vitest'
import type { ServerConfig } from '../config.js'
import { type Operation, operations } from '../openapi/operations.js'
import { controlledHasher, type TestServer, testServer, USERS } from '../test/harness.js'

// Every state-changing route produces its event, and every refusal the audited routes can answer (each
// code their OpenAPI operation lists) produces the event of its route with that code. The tables are
// checked against the operations, so a new route or code fails here, by name, until it has a case.

const STRONG = 'correct horse battery staple 42'
const users = [
  ...USERS.map((u) => ({ ...u, email: `${u.username}@example.com` })),
  { username: 'root2', password: 'root2-password', role: 'admin' as const },
]
const TOKEN = 'A'.repeat(43)

/** The refusals' event type, by operation. */
const refusalType: Record<string, AuditEventType> = {
  register: 'register.failed',
  login: 'login.failed',
  refresh: 'refresh.failed',
  changePassword: 'password.change_failed',
  verifyEmail: 'email.verify_failed',
  resetPassword: 'password.reset_failed',
  reauthenticate: 'reauthentication.failed',
  ...Object.fromEntries(
    operations.filter((op) => op.path.startsWith('/admin/')).map((op) => [op.id, 'admin.refused']),
  ),
}
/** Codes no event records, and why. */
const unrecorded: Partial<Record<ErrorCode, string>> = {
  store_unavailable: 'the store that would hold the event cannot be reached (the log has it)',
  payload_too_large: 'answered by the body limit before any route runs',
}
/** A code the change's own transaction records, under its own type. */
const ownType: Partial<Record<ErrorCode, AuditEventType>> = { refresh_token_reused: 'refresh.reuse_detected' }

interface Case {
  config?: Partial<ServerConfig>
  busy?: boolean
  act(h: TestServer, op: Operation): Promise<Response>
}

const pathOf = async (h: TestServer, op: Operation) => op.path.replace(':id', (await h.user('bob')).id)
const bodies: Record<string, unknown> = {
  register: { username: 'carol', password: STRONG },
  login: { username: 'alice', password: 'alice-password' },
  refresh: { refresh_token: 'x'.repeat(40) },
  changePassword: { current_password: 'alice-password', new_password: STRONG },
  reauthenticate: { password: 'alice-password' },
  changeRole: { role: 'user' },
  verifyEmail: { token: TOKEN },
  resetPassword: { token: TOKEN, password: STRONG },
}
/** Sends the operation's request, as its caller (alice on /auth, root on /admin) unless told. */
async function send(h: TestServer, op: Operation, over: { token?: string | null; body?: unknown } = {}) {
  const caller = op.path.startsWith('/admin/') ? 'root' : 'alice'
  const token =
    over.token !== undefined ? over.token : bearerless(op) ? null : (await h.login(caller)).access_token
  const auth: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` }
  const body = 'body' in over ? over.body : bodies[op.id]
  const path = await pathOf(h, op)
  const query = op.id === 'listAuditEvents' && over.body === 'bad' ? '?limit=1000' : ''
  return h.json(op.method.toUpperCase(), path + query, op.method === 'get' ? undefined : body, auth)
}
const bearerless = (op: Operation) => op.auth.length === 0 || op.id === 'refresh'
/** The operations that check the caller's password with a bearer token. */
const passwordChecks = ['changePassword', 'reauthenticate']
const wrongPassword = (op: Operation) =>
  op.id === 'reauthenticate'
    ? { password: 'wrong-password' }
    : { current_password: 'wrong-password', new_password: STRONG }
const repeatUntil = async (status: number, run: () => Promise<Response>) => {
  for (let i = 0; i < 20; i++) {
    const res = await run()
    if (res.status === status) return res
  }
  throw new Error(`never answered ${status}`)
}

/** How each code is drawn from an operation (a code whose case differs by operation looks at `op.id`). */
const cases: Partial<Record<ErrorCode, Case>> = {
  unsupported_media_type: {
    act: async (h, op) =>
      h.app.request(await pathOf(h, op), {
        method: op.method.toUpperCase(),
        headers: {
          'content-type': 'text/plain',
          authorization: `Bearer ${(await h.login(op.path.startsWith('/admin/') ? 'root' : 'alice')).access_token}`,
        },
        body: 'x',
      }),
  },
  invalid_json: {
    act: async (h, op) =>
      h.app.request(await pathOf(h, op), {
        method: op.method.toUpperCase(),
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${(await h.login(op.path.startsWith('/admin/') ? 'root' : 'alice')).access_token}`,
        },
        body: '{',
      }),
  },
  invalid_request: {
    act: (h, op) => {
      if (op.id === 'listAuditEvents') return send(h, op, { body: 'bad' })
      if (op.id === 'register') return send(h, op, { body: { username: 'carol', password: 'password1' } })
      if (op.id === 'changePassword')
        return send(h, op, { body: { current_password: 'alice-password', new_password: 'password1' } })
      return send(h, op, { body: { nonsense: 1, role: 'root', username: 5, refresh_token: 5 } })
    },
  },
  missing_token: { act: (h, op) => send(h, op, { token: null }) },
  malformed_token: { act: (h, op) => send(h, op, { token: 'not-a-jwt' }) },
  invalid_token: {
    act: async (h, op) => {
      const token = (await h.login(op.path.startsWith('/admin/') ? 'root' : 'alice')).access_token
      return send(h, op, { token: `${token.slice(0, -4)}AAAA` })
    },
  },
  token_expired: {
    act: async (h, op) => {
      const token = (await h.login(op.path.startsWith('/admin/') ? 'root' : 'alice')).access_token
      h.clock.advance(301)
      return send(h, op, { token })
    },
  },
  user_disabled: {
    act: async (h, op) => {
      if (op.id === 'login') {
        await h.app.admin.disable((await h.user('alice')).id)
        return send(h, op)
      }
      if (op.id === 'refresh') {
        const { refresh_token } = await h.login('alice')
        await h.app.admin.disable((await h.user('alice')).id)
        return send(h, op, { body: { refresh_token } })
      }
      const name = op.path.startsWith('/admin/') ? 'root2' : 'alice'
      const token = (await h.login(name)).access_token
      await h.app.admin.disable((await h.user(name)).id)
      return send(h, op, { token })
    },
  },
  session_revoked: {
    act: async (h, op) => {
      const tokens = await h.login(op.path.startsWith('/admin/') ? 'root' : 'alice')
      await h.bearer(tokens.access_token, 'POST', '/auth/logout')
      if (op.id === 'refresh') return send(h, op, { body: { refresh_token: tokens.refresh_token } })
      return send(h, op, { token: tokens.access_token })
    },
  },
  reauthentication_required: {
    act: async (h, op) => {
      // Past the step-up's max age (600 s), on a token a refresh renewed: a refresh never moves the sign-in.
      const { refresh_token } = await h.login(op.path.startsWith('/admin/') ? 'root' : 'alice')
      h.clock.advance(601)
      const renewed = (await (await h.refresh(refresh_token!)).json()) as { access_token: string }
      return send(h, op, { token: renewed.access_token })
    },
  },
  forbidden: { act: async (h, op) => send(h, op, { token: (await h.login('alice')).access_token }) },
  user_not_found: {
    act: async (h, op) => {
      const token = (await h.login('root')).access_token
      const body = op.method === 'get' ? undefined : bodies[op.id]
      return h.json(op.method.toUpperCase(), op.path.replace(':id', 'no-such-user'), body, {
        authorization: `Bearer ${token}`,
      })
    },
  },
  last_admin: {
    act: async (h, op) => {
      await h.app.admin.disable((await h.user('root2')).id)
      const token = (await h.login('root')).access_token
      const path = op.path.replace(':id', (await h.user('root')).id)
      return h.json(op.method.toUpperCase(), path, op.method === 'get' ? undefined : bodies[op.id], {
        authorization: `Bearer ${token}`,
      })
    },
  },
  invalid_credentials: {
    act: (h, op) =>
      op.id === 'login'
        ? send(h, op, { body: { username: 'alice', password: 'wrong-password' } })
        : send(h, op, { body: wrongPassword(op) }),
  },
  rate_limited: {
    config: { loginRate: 1, ipRate: 1 },
    act: async (h, op) => {
      const token = passwordChecks.includes(op.id) ? (await h.login('alice')).access_token : null
      const wrong = passwordChecks.includes(op.id)
        ? wrongPassword(op)
        : { username: 'alice', password: 'wrong-password' }
      const body = ['register', 'verifyEmail', 'resetPassword'].includes(op.id) ? bodies[op.id] : wrong
      return repeatUntil(429, () => send(h, op, { token, body }))
    },
  },
  // Drawn in the test itself: the tokens must be had before the hashing gate is held.
  server_busy: { busy: true, act: () => Promise.reject(new Error('see the test')) },
  username_taken: { act: (h, op) => send(h, op, { body: { username: 'alice', password: STRONG } }) },
  email_taken: {
    act: (h, op) =>
      send(h, op, { body: { username: 'carol', password: STRONG, email: 'ALICE@example.com' } }),
  },
  email_not_verified: {
    config: { requireVerifiedEmail: true },
    act: async (h, op) => {
      await h.store.updateUser((await h.user('alice')).id, { emailVerified: false })
      return send(h, op)
    },
  },
  invalid_verification_token: { act: (h, op) => send(h, op) },
  invalid_reset_token: { act: (h, op) => send(h, op) },
  registration_closed: { config: { allowRegistration: false }, act: (h, op) => send(h, op) },
  origin_not_allowed: {
    act: async (h, op) => h.json('POST', op.path, bodies[op.id], { origin: 'https://elsewhere.example' }),
  },
  invalid_refresh_token: { act: (h, op) => send(h, op) },
  refresh_token_reused: {
    config: { reuseInterval: 0 },
    act: async (h, op) => {
      const { refresh_token } = await h.login('alice')
      await h.refresh(refresh_token!)
      return send(h, op, { body: { refresh_token } })
    },
  },
  session_expired: {
    act: async (h, op) => {
      const { refresh_token } = await h.login('alice')
      h.clock.advance(1801)
      return send(h, op, { body: { refresh_token } })
    },
  },
}

/** Every (operation, code) the audited routes can answer with, and the event each must produce. */
const expected = operations
  .filter((op) => op.id in refusalType)
  .flatMap((op) =>
    op.errors
      .filter((code) => !(code in unrecorded))
      .map((code) => ({ op, code, type: ownType[code] ?? refusalType[op.id]! })),
  )

async function server(c: Case) {
  if (!c.busy) return { h: await testServer({ users, ...(c.config && { config: c.config }) }) }
  const gate = controlledHasher()
  const h = await testServer({ users, hasher: gate.hasher, config: { hashConcurrency: 1, hashQueue: 0 } })
  return { h, gate }
}
const events = async (h: TestServer): Promise<AuditEvent[]> => {
  await h.app.flushAudit()
  return h.store.listEvents({ limit: 200 })
}

describe('the audit trail covers every refusal of login, register, refresh, reauthenticate, password change and admin', () => {
  it('has a case for every code those operations list', () => {
    const missing = [...new Set(expected.map((e) => e.code))].filter((code) => !cases[code])
    expect(missing, `codes without a case: ${missing.join(', ')}`).toEqual([])
  })

  it('lists each (type, code) in @leash/protocol’s table', () => {
    const unlisted = expected
      .filter(({ type, code }) => !(auditEventTable[type].codes as readonly string[]).includes(code))
      .map(({ type, code }) => `${type} ${code}`)
    expect([...new Set(unlisted)].join('; '), 'missing from auditEventTable').toBe('')
  })

  it.each(expected.map((e) => [`${e.op.id} ${e.code} → ${e.type}`, e] as const))('%s', async (_, e) => {
    const c = cases[e.code]!
    const { h, gate } = await server(c)
    let res: Response
    if (gate) {
      // One hash holds the only slot; the next finds no place in the queue.
      const reset = e.op.id === 'resetPassword'
      const links = reset
        ? [await h.resetToken('bob@example.com'), await h.resetToken('alice@example.com')]
        : []
      const password = passwordChecks.includes(e.op.id)
      const holder = password ? (await h.login('bob')).access_token : null
      const token = password ? (await h.login('alice')).access_token : null
      gate.hold()
      const bob = password ? undefined : { username: 'bob', password: 'bob-password' }
      const body = (i: number) => (reset ? { body: { token: links[i], password: STRONG } } : {})
      const first = send(h, e.op, { token: holder, ...(bob && { body: bob }), ...body(0) })
      res = await send(h, e.op, { token, ...body(1) })
      gate.release()
      await first
    } else res = await c.act(h, e.op)
    expect(((await res.json()) as { error?: { code: string } }).error?.code).toBe(e.code)
    const found = (await events(h)).filter((ev) => ev.type === e.type && ev.code === e.code)
    expect(found.length, `no ${e.type} event with code ${e.code} for ${e.op.id}`).toBeGreaterThan(0)
  })
})
