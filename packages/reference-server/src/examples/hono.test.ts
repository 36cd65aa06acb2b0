import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { seedUsers } from '../seed.js'
import { createMemoryStore } from '../store/memory.js'
import { GLOBAL_SECRET, USERS } from '../test/harness.js'
import { createApi } from './hono.js'

// The README's "Protect your own API" (Hono) is examples/hono.ts verbatim: this runs it.

async function api() {
  const store = createMemoryStore()
  const hasher = createPbkdf2Hasher(1_000)
  await seedUsers(store, hasher, USERS, Date.now())
  const app = createApi({ store, hasher, globalSecret: GLOBAL_SECRET, config: { secureCookies: false } })
  const login = async (username: string) => {
    const res = await app.request('/identity/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: `${username}-password` }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toContain('; Path=/identity/auth;')
    const body = (await res.json()) as { access_token: string; user: { id: string } }
    return { id: body.user.id, headers: { authorization: `Bearer ${body.access_token}` } }
  }
  return { app, login }
}

describe('examples/hono.ts', () => {
  it('signs in under /identity and serves /api/profile to a live session only', async () => {
    const { app, login } = await api()
    const alice = await login('alice')
    const profile = await app.request('/api/profile', { headers: alice.headers })
    expect(await profile.json()).toEqual({
      user: { id: alice.id, username: 'alice', role: 'user' },
      user_enabled: true,
    })
    const anonymous = await app.request('/api/profile')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"')
    expect(await anonymous.json()).toMatchObject({ error: { code: 'missing_token' } })
  })

  it('lets an admin end a user’s sessions, after which that user’s token is refused; refuses a non-admin', async () => {
    const { app, login } = await api()
    const alice = await login('alice')
    const root = await login('root')
    const path = `/api/users/${alice.id}/sign-out`
    const refused = await app.request(path, { method: 'POST', headers: alice.headers })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } })
    const done = await app.request(path, { method: 'POST', headers: root.headers })
    expect(done.status).toBe(200)
    expect(await done.json()).toMatchObject({ user: { id: alice.id, enabled: true } })
    const unknown = await app.request('/api/users/nobody/sign-out', { method: 'POST', headers: root.headers })
    expect(unknown.status).toBe(404)
    const after = await app.request('/api/profile', { headers: alice.headers })
    expect(after.status).toBe(401)
    expect(await after.json()).toMatchObject({ error: { code: 'invalid_token' } })
  })

  it('is what the README shows, verbatim', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('./hono.ts', import.meta.url), 'utf8')
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
  })
})
