import type { AppOptions, LeashApp } from '../app.js'
import { StoreUnavailableError } from '../errors.js'
import { createMemoryStore } from '../store/memory.js'
import { controlledHasher, refreshCookie, type TokenBody, testServer } from './harness.js'

/** One request the app answered, as a client saw it. */
export interface Exchange {
  method: string
  path: string
  status: number
  headers: Headers
  body: unknown
}

/** Records every request made through `app.request` (the harness's helpers included). */
function record(app: LeashApp, log: Exchange[]) {
  const request = app.request.bind(app)
  app.request = (async (input: string, init?: RequestInit) => {
    const res = await request(input, init)
    const text = await res.clone().text()
    log.push({
      method: init?.method ?? 'GET',
      path: new URL(input, 'http://localhost').pathname,
      status: res.status,
      headers: res.headers,
      body: text === '' ? undefined : JSON.parse(text),
    })
    return res
  }) as typeof app.request
}

/**
 * A scripted run through the app: every endpoint's success, and every error code the server can answer,
 * each provoked the way a client would. Returns what the server answered, in order.
 */
export async function scriptedRun(): Promise<Exchange[]> {
  const log: Exchange[] = []
  const server = async (options: Parameters<typeof testServer>[0] = {}) => {
    const s = await testServer(options)
    record(s.app, log)
    return s
  }
  const json = (body: string, type = 'application/json') => ({
    method: 'POST',
    headers: { 'content-type': type },
    body,
  })

  const s = await server()
  await s.app.request('/healthz')
  await s.app.request('/readyz')
  await s.app.request('/openapi.json')
  await s.app.request('/nowhere') // not_found
  await s.json('POST', '/auth/register', { username: 'carol', password: 'carol-password' })
  await s.json('POST', '/auth/register', { username: 'Carol', password: 'carol-password' }) // username_taken
  await s.app.request('/auth/login', json('alice', 'text/plain')) // unsupported_media_type
  await s.app.request('/auth/login', json('{')) // invalid_json
  await s.app.request('/auth/login', json(JSON.stringify({ username: 'x'.repeat(17_000) }))) // payload_too_large
  await s.json('POST', '/auth/login', { username: 5, password: 'p' }) // invalid_request
  await s.json('POST', '/auth/login', { username: 'alice', password: 'wrong-password' }) // invalid_credentials

  const alice = await s.login('alice')
  await s.bearer(alice.access_token)
  await s.bearer(alice.access_token, 'GET', '/api/notes')
  await s.bearer(alice.access_token, 'POST', '/api/notes', { text: 'buy milk' })
  await s.bearer(alice.access_token, 'GET', '/api/notes')
  await s.app.request('/auth/me') // missing_token
  await s.bearer('abc') // malformed_token
  await s.bearer(`${alice.access_token.slice(0, -4)}AAAA`) // invalid_token

  // Refresh: body and cookie transports, and each way a refresh token is refused
  const refreshed = (await (await s.refresh(alice.refresh_token!)).json()) as TokenBody
  await s.refresh('not-a-refresh-token') // invalid_refresh_token
  await s.json('POST', '/auth/refresh', {}) // invalid_refresh_token: none sent
  await s.json(
    'POST',
    '/auth/refresh',
    { refresh_token: refreshed.refresh_token },
    { origin: 'https://evil.test' },
  )
  const bobLogin = await s.json('POST', '/auth/login', { username: 'bob', password: 'bob-password' })
  const bob = (await bobLogin.json()) as TokenBody
  await s.json('POST', '/auth/refresh', undefined, { cookie: `leash_refresh=${refreshCookie(bobLogin)}` })
  await s.refresh(refreshed.refresh_token!)
  await s.refresh(alice.refresh_token!) // a grandparent: refresh_token_reused

  // The caller's sessions: listed, one ended from another device, then that one again (session_not_found)
  const phone = await s.login('alice')
  const laptop = await s.login('alice')
  await s.bearer(laptop.access_token, 'GET', '/auth/sessions')
  await s.bearer(laptop.access_token, 'DELETE', `/auth/sessions/${phone.session.id}`)
  await s.bearer(laptop.access_token, 'DELETE', `/auth/sessions/${phone.session.id}`) // session_not_found

  // Logout, logout-all, password change
  const a = await s.login('alice')
  await s.bearer(a.access_token, 'POST', '/auth/logout')
  await s.bearer(a.access_token) // session_revoked
  await s.json('POST', '/auth/logout', { refresh_token: (await s.login('alice')).refresh_token })
  const carol = await s.login('carol')
  await s.bearer(carol.access_token, 'POST', '/auth/logout-all')
  const dave = await s.login('alice')
  const change = { current_password: 'wrong-password', new_password: 'alice-password-2' }
  await s.bearer(dave.access_token, 'POST', '/auth/password', change) // invalid_credentials
  await s.bearer(dave.access_token, 'POST', '/auth/password', {
    ...change,
    current_password: 'alice-password',
  })

  // Administration
  const root = await s.login('root')
  const admin = (method: string, path: string, body?: unknown) =>
    s.bearer(root.access_token, method, path, body)
  const ids = { bob: bob.user.id, carol: carol.user.id, root: root.user.id }
  await admin('GET', '/admin/users')
  await s.bearer(carol.access_token, 'GET', '/admin/users') // session_revoked: carol signed out everywhere
  await s.bearer((await s.login('carol')).access_token, 'GET', '/admin/users') // forbidden
  await admin('POST', `/admin/users/${ids.bob}/disable`)
  await s.bearer(bob.access_token) // user_disabled
  await s.json('POST', '/auth/login', { username: 'bob', password: 'bob-password' }) // user_disabled
  await admin('POST', `/admin/users/${ids.bob}/enable`)
  await admin('POST', `/admin/users/${ids.bob}/revoke`)
  await admin('PATCH', `/admin/users/${ids.carol}`, { role: 'admin' })
  await admin('PATCH', `/admin/users/${ids.carol}`, { role: 'root' }) // invalid_request
  await admin('PATCH', `/admin/users/${ids.carol}`, { role: 'user' })
  await admin('POST', '/admin/users/no-such-id/disable') // user_not_found
  await admin('POST', `/admin/users/${ids.root}/disable`) // last_admin
  await admin('GET', `/admin/audit?user=${ids.bob}&limit=2`)
  await admin('GET', '/admin/audit?limit=1000') // invalid_request

  // Step-up: an admin change 10 minutes after the sign-in is refused until the password is confirmed
  const early = await s.login('root')
  s.clock.advance(601)
  const later = (await (await s.refresh(early.refresh_token!)).json()) as TokenBody
  await s.bearer(later.access_token, 'POST', `/admin/users/${ids.bob}/revoke`) // reauthentication_required
  const confirm = (password: string) =>
    s.bearer(later.access_token, 'POST', '/auth/reauthenticate', { password })
  await confirm('wrong-password') // invalid_credentials
  const fresh = (await (await confirm('root-password')).json()) as TokenBody
  await s.bearer(fresh.access_token, 'POST', `/admin/users/${ids.bob}/revoke`)

  // Time: an expired access token, then a session past its idle timeout
  const late = await s.login('alice', 'alice-password-2')
  s.clock.advance(301)
  await s.bearer(late.access_token) // token_expired
  s.clock.advance(1_800)
  await s.refresh(late.refresh_token!) // session_expired
  await s.bearer((await s.login('root')).access_token, 'POST', '/admin/revoke-all')

  // Email verification and password reset
  const strong = 'correct horse battery staple 42'
  const mail = await server({
    users: [{ username: 'erin', password: 'erin-password', email: 'erin@example.com' }],
  })
  await mail.json('POST', '/auth/register', {
    username: 'frank',
    password: strong,
    email: 'frank@example.com',
  })
  await mail.json('POST', '/auth/register', {
    username: 'gina',
    password: strong,
    email: 'FRANK@example.com',
  }) // email_taken
  await mail.app.flushMail()
  const replaced = mail.mailbox.last('frank@example.com')!.token
  const frank = await mail.login('frank', strong)
  await mail.bearer(frank.access_token, 'POST', '/auth/email/resend')
  await mail.app.flushMail()
  await mail.json('POST', '/auth/email/verify', { token: replaced }) // invalid_verification_token
  await mail.json('POST', '/auth/email/verify', { token: mail.mailbox.last('frank@example.com')!.token })
  await mail.bearer(frank.access_token, 'POST', '/auth/email/resend') // nothing_to_verify
  const link = await mail.resetToken('erin@example.com')
  await mail.json('POST', '/auth/password/reset', { token: link, password: strong })
  await mail.json('POST', '/auth/password/reset', { token: link, password: strong }) // invalid_reset_token
  const strict = await server({ config: { requireVerifiedEmail: true } })
  await strict.json('POST', '/auth/login', { username: 'alice', password: 'alice-password' }) // email_not_verified

  // Configurations and faults
  const closed = await server({ config: { allowRegistration: false } })
  await closed.json('POST', '/auth/register', { username: 'erin', password: 'erin-password' }) // registration_closed
  const limited = await server({ config: { loginRate: 1 } })
  for (let i = 0; i < 2; i++)
    await limited.json('POST', '/auth/login', { username: 'alice', password: 'nope' }) // rate_limited
  const control = controlledHasher()
  const busy = await server({ hasher: control.hasher, config: { hashConcurrency: 1, hashQueue: 0 } })
  control.hold()
  const held = busy.json('POST', '/auth/login', { username: 'alice', password: 'alice-password' })
  while (control.calls.verify === 0) await new Promise((go) => setImmediate(go))
  await busy.json('POST', '/auth/login', { username: 'bob', password: 'bob-password' }) // server_busy
  control.release()
  await held
  for (const fault of [new StoreUnavailableError(new Error('ECONNREFUSED')), new Error('boom')]) {
    const store = createMemoryStore()
    const down = await server({ store } satisfies Partial<AppOptions>)
    store.findUserByUsername = () => Promise.reject(fault)
    store.ping = () => Promise.reject(fault)
    await down.app.request('/readyz') // 503, the health body
    await down.json('POST', '/auth/login', { username: 'alice', password: 'alice-password' }) // store_unavailable, internal_error
  }
  return log
}
