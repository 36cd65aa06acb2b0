import { describe, expect, it } from 'vitest'
import { GLOBAL_SECRET, testServer } from '../test/harness.js'

// No audit event holds a password, a token or a secret: every flow is driven with known ones (right and
// wrong passwords, access and refresh tokens, spent ones included), and each is searched for in every
// event's JSON, along with the global secret and every user's stored secret and password hash.

describe('the audit trail holds no secret', () => {
  it('drives every flow with known secrets and finds none in any event', async () => {
    const h = await testServer({ config: { reuseInterval: 0, maxSessions: 2, loginRate: 3 } })
    const secrets = new Set<string>([GLOBAL_SECRET, 'alice-password', 'bob-password', 'root-password'])
    const keep = <T extends { access_token: string; refresh_token?: string }>(t: T) => {
      secrets.add(t.access_token)
      if (t.refresh_token) secrets.add(t.refresh_token)
      return t
    }
    const as = (token: string, method: string, path: string, body?: unknown) =>
      h.json(method, path, body, { authorization: `Bearer ${token}` })

    const carol = 'Carol-Pass-Phrase-9!x'
    const wrong = 'Wrong-Guess-Phrase-7?'
    const next = 'A-Brand-New-Phrase-55'
    secrets.add(carol).add(wrong).add(next)
    await h.json('POST', '/auth/register', { username: 'carol', password: carol })
    await h.json('POST', '/auth/register', { username: 'carol', password: carol }) // taken
    await h.json('POST', '/auth/login', { username: 'alice', password: wrong })
    await h.json('POST', '/auth/login', { username: wrong, password: wrong }) // a password as username
    const a1 = keep(await h.login('alice'))
    const a2 = keep(await h.login('alice'))
    keep(await h.login('alice')) // beyond the cap
    const rotated = keep((await (await h.refresh(a2.refresh_token!)).json()) as { access_token: string })
    await h.refresh(a2.refresh_token!) // reuse
    await h.refresh(`${a1.refresh_token}x`)
    await as(a1.access_token, 'POST', '/auth/password', { current_password: wrong, new_password: next })
    const a3 = keep(await h.login('alice'))
    await as(a3.access_token, 'POST', '/auth/password', {
      current_password: 'alice-password',
      new_password: next,
    })
    await as(rotated.access_token, 'DELETE', '/auth/sessions/no-such')
    const b = keep(await h.login('bob'))
    await h.json('POST', '/auth/logout', { refresh_token: b.refresh_token })
    const b2 = keep(await h.login('bob'))
    await as(b2.access_token, 'POST', '/auth/logout')
    const b3 = keep(await h.login('bob'))
    await as(b3.access_token, 'POST', '/auth/logout-all')
    const root = keep(await h.login('root'))
    const bob = (await h.user('bob')).id
    for (const action of ['disable', 'enable', 'revoke'])
      await as(root.access_token, 'POST', `/admin/users/${bob}/${action}`)
    await as(root.access_token, 'PATCH', `/admin/users/${bob}`, { role: 'admin' })
    await as(b3.access_token, 'GET', '/admin/users') // an ended session's token
    await as(root.access_token, 'POST', '/admin/revoke-all')
    for (let i = 0; i < 4; i++) await h.json('POST', '/auth/login', { username: 'bob', password: wrong })

    for (const name of ['alice', 'bob', 'root', 'carol']) {
      const u = await h.user(name)
      secrets.add(u.secret).add(u.passwordHash)
    }
    await h.app.flushAudit()
    const events = await h.store.listEvents({ limit: 200 })
    expect(new Set(events.map((e) => e.type)).size).toBeGreaterThan(12)
    const found = events.flatMap((e) => {
      const json = JSON.stringify(e)
      return [...secrets].filter((s) => json.includes(s)).map((s) => `${e.type} holds ${s.slice(0, 12)}…`)
    })
    expect(found).toEqual([])
  })
})
