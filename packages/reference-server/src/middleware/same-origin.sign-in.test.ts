import { describe, expect, it } from 'vitest'
import type { ServerConfig } from '../config.js'
import { expectCode, testServer } from '../test/harness.js'

// POST /auth/login and /auth/register refuse a request a browser sent from a page of another origin, by the
// rules refresh and logout follow. Without it, a host app that reflects CORS with credentials lets a
// cross-site page sign the victim into the attacker's account (login CSRF): the response sets the refresh
// cookie, and the victim then works, unknowing, in an account the attacker reads.

const LISTED = 'https://app.example'

async function server(config: Partial<ServerConfig> = {}) {
  const s = await testServer({ config: { corsOrigins: [LISTED], ...config } })
  const login = (headers: Record<string, string>) =>
    s.json('POST', '/auth/login', { username: 'alice', password: 'alice-password' }, headers)
  const register = (headers: Record<string, string>) =>
    s.json('POST', '/auth/register', { username: 'mallory', password: 'mallory-password-1' }, headers)
  return { s, login, register }
}

const hostile: Array<[string, Record<string, string>]> = [
  ['another site', { origin: 'https://evil.example' }],
  ['a sibling subdomain', { origin: 'https://evil.app.example' }],
  ['Origin: null', { origin: 'null' }],
  [
    'a foreign Origin, whatever Sec-Fetch-Site claims',
    { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
  ],
  ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
]

const friendly: Array<[string, Record<string, string>]> = [
  ['the server’s own origin', { origin: 'http://localhost' }],
  ['a listed CORS origin', { origin: LISTED }],
  ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
  ['neither header (curl, a mobile app, a server)', {}],
]

describe('login and register refuse a cross-site request, and change nothing', () => {
  it.each(hostile)('login from %s: 403 origin_not_allowed, no cookie, no session', async (_, headers) => {
    const { s, login } = await server()
    const res = await login(headers)
    expect(res.headers.getSetCookie()).toEqual([])
    await expectCode(res, 403, 'origin_not_allowed')
    expect(await s.liveSessions((await s.user('alice')).id)).toEqual([])
  })

  it.each(hostile)('register from %s: 403 origin_not_allowed, no user', async (_, headers) => {
    const { s, register } = await server()
    await expectCode(await register(headers), 403, 'origin_not_allowed')
    expect(await s.store.findUserByUsername('mallory')).toBeNull()
  })
})

describe('login and register accept the server’s own origin, listed origins and non-browsers', () => {
  it.each(friendly)('login from %s signs in', async (_, headers) => {
    const { s, login } = await server()
    expect((await login(headers)).status).toBe(200)
    expect(await s.liveSessions((await s.user('alice')).id)).toHaveLength(1)
  })

  it.each(friendly)('register from %s creates the account', async (_, headers) => {
    const { s, register } = await server()
    expect((await register(headers)).status).toBe(201)
    expect(await s.store.findUserByUsername('mallory')).not.toBeNull()
  })
})
