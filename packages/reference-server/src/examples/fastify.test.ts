import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { seedUsers } from '../seed.js'
import { createMemoryStore } from '../store/memory.js'
import { GLOBAL_SECRET, USERS } from '../test/harness.js'
import { createApi } from './fastify.js'

// The README's "Protect your own API" (Fastify) is examples/fastify.ts verbatim: this runs it.

async function api() {
  const store = createMemoryStore()
  const hasher = createPbkdf2Hasher(1_000)
  await seedUsers(store, hasher, USERS, Date.now())
  const app = await createApi({
    store,
    hasher,
    globalSecret: GLOBAL_SECRET,
    config: { secureCookies: false },
  })
  const login = async (username: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/identity/auth/login',
      payload: { username, password: `${username}-password` },
    })
    expect(res.statusCode).toBe(200)
    expect(String(res.headers['set-cookie'])).toContain('; Path=/identity/auth;')
    const body = res.json() as { access_token: string; user: { id: string } }
    return { id: body.user.id, headers: { authorization: `Bearer ${body.access_token}` } }
  }
  return { app, login }
}

describe('examples/fastify.ts', () => {
  it('signs in under /identity and serves /api/profile to a live session only', async () => {
    const { app, login } = await api()
    const alice = await login('alice')
    const profile = await app.inject({ url: '/api/profile', headers: alice.headers })
    expect(profile.json()).toEqual({
      user: { id: alice.id, username: 'alice', role: 'user' },
      user_enabled: true,
    })
    const anonymous = await app.inject({ url: '/api/profile' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.headers['www-authenticate']).toBe('Bearer error="invalid_request"')
    expect(anonymous.json()).toMatchObject({ error: { code: 'missing_token' } })
  })

  it('lets an admin end a user’s sessions, after which that user’s token is refused; refuses a non-admin', async () => {
    const { app, login } = await api()
    const alice = await login('alice')
    const root = await login('root')
    const url = `/api/users/${alice.id}/sign-out`
    const refused = await app.inject({ method: 'POST', url, headers: alice.headers })
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } })
    const done = await app.inject({ method: 'POST', url, headers: root.headers })
    expect(done.statusCode).toBe(200)
    expect(done.json()).toMatchObject({ user: { id: alice.id, enabled: true } })
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/users/nobody/sign-out',
      headers: root.headers,
    })
    expect(unknown.statusCode).toBe(404)
    const after = await app.inject({ url: '/api/profile', headers: alice.headers })
    expect(after.statusCode).toBe(401)
    expect(after.json()).toMatchObject({ error: { code: 'invalid_token' } })
  })

  it('is what the README shows, verbatim', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('./fastify.ts', import.meta.url), 'utf8')
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
  })
})
