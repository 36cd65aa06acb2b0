import { readFileSync } from 'node:fs'
import { ConfigError } from '@leash/reference-server'
import { afterEach, describe, expect, it } from 'vitest'
import { type RunningApi, startApi } from './server.js'

// The example as `npm start` runs it (startApi reads the LEASH_* variables), driven over HTTP.

const running: RunningApi[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.close()))
})

async function start(env: Record<string, string> = {}) {
  const api = await startApi({
    LEASH_DATABASE: 'sqlite::memory:',
    LEASH_PORT: '0',
    LEASH_LOG: 'none',
    LEASH_SEED_USERS: 'alice:alice-password,root:root-password:admin',
    ...env,
  })
  running.push(api)
  const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: {
        ...(options.token && { authorization: `Bearer ${options.token}` }),
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
  const login = async (username: string) => {
    const res = await call('POST', '/auth/login', { body: { username, password: `${username}-password` } })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { access_token: string; expires_in: number; user: { id: string } }
    return { res, body, token: body.access_token, id: body.user.id }
  }
  return { api, call, login }
}

describe('examples/express-api', () => {
  it('signs in at /auth/login (cookie Path=/auth) and serves /api/profile to a live session only', async () => {
    const { call, login } = await start()
    const alice = await login('alice')
    expect(alice.res.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^leash_refresh=[^;]+; Path=\/auth;/),
    ])
    const profile = await call('GET', '/api/profile', { token: alice.token })
    expect(profile.status).toBe(200)
    expect(await profile.json()).toEqual({ user: { id: alice.id, username: 'alice', role: 'user' } })
    const anonymous = await call('GET', '/api/profile')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"')
    expect(await anonymous.json()).toEqual({ error: { code: 'missing_token', message: expect.any(String) } })
    // The admin API is there too, for admins.
    const root = await login('root')
    expect((await call('GET', '/admin/users', { token: root.token })).status).toBe(200)
    expect((await call('GET', '/admin/users', { token: alice.token })).status).toBe(403)
  })

  it('lets an admin end a user’s sessions, after which that token is refused; the disabled get user_enabled: false', async () => {
    const { call, login } = await start()
    const alice = await login('alice')
    const root = await login('root')
    const signOut = (id: string, token: string) => call('POST', `/api/users/${id}/sign-out`, { token })
    const refused = await signOut(alice.id, alice.token)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } })
    expect((await signOut('nobody', root.token)).status).toBe(404)
    const done = await signOut(alice.id, root.token)
    expect(await done.json()).toEqual({
      user: {
        id: alice.id,
        username: 'alice',
        role: 'user',
        email: null,
        email_verified: false,
        enabled: true,
      },
    })
    const after = await call('GET', '/api/profile', { token: alice.token })
    expect(after.status).toBe(401)
    expect(await after.json()).toMatchObject({ error: { code: 'invalid_token' } })

    const again = await login('alice')
    expect((await call('POST', `/admin/users/${alice.id}/disable`, { token: root.token })).status).toBe(200)
    const disabled = await call('GET', '/api/profile', { token: again.token })
    expect(disabled.status).toBe(403)
    expect(await disabled.json()).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
  })

  it('honours the server’s LEASH_* variables, and refuses a bad one as the server does', async () => {
    const { login } = await start({ LEASH_ACCESS_TTL: '120' })
    expect((await login('alice')).body.expires_in).toBe(120)
    await expect(startApi({ LEASH_DATABASE: 'sqlite::memory:', LEASH_ACCESS_TTL: 'soon' })).rejects.toThrow(
      ConfigError,
    )
  })

  it('is what the README shows, verbatim', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('./app.ts', import.meta.url), 'utf8')
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
  })
})
