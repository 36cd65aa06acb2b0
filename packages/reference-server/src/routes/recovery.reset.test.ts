import { describe, expect, it } from 'vitest'
import type { ServerConfig } from '../config.js'
import { expectCode, LINK_ORIGIN, type TestServer, testServer, USERS } from '../test/harness.js'
import { stores } from '../test/store-fixtures.js'
import { sha256 } from '../tokens/random.js'

// Password reset, on every store: the link works once, for 30 minutes, only the newest; the policy
// applies; a reset rotates the user's string (every access token dies), ends every session (every
// refresh family) and is recorded; a new request or any new password spends the older links.

const STRONG = 'correct horse battery staple 42'
const OTHER = 'purple elephant umbrella 1987'
const users = USERS.map((u) => ({ ...u, email: `${u.username}@example.com` }))

describe.each(stores)('%s store: password reset', (_name, make) => {
  const server = async (config: Partial<ServerConfig> = {}) => {
    const store = make()
    const h = await testServer({ store, config, users })
    return { h, [Symbol.asyncDispose]: () => store.close() }
  }
  const reset = (h: TestServer, token: string, password = STRONG) =>
    h.json('POST', '/auth/password/reset', { token, password })
  const resets = async (h: TestServer) => {
    await h.app.flushAudit()
    return h.store.listEvents({ limit: 50, type: 'password.reset' })
  }

  it('mails a link to the reset page; the link sets the password once, and a second use changes nothing', async () => {
    await using s = await server()
    const token = await s.h.resetToken('ALICE@example.com')
    const mail = s.h.mailbox.last('alice@example.com')!
    expect(mail.link).toBe(`${LINK_ORIGIN}/reset-password?token=${token}`)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const res = await reset(s.h, token)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ reset: true })
    await expectCode(await reset(s.h, token, OTHER), 400, 'invalid_reset_token')
    await expectCode(await s.h.json('POST', '/auth/login', users[0]), 401, 'invalid_credentials')
    expect((await s.h.login('alice', STRONG)).access_token).toBeTruthy()
    expect(await resets(s.h)).toEqual([expect.objectContaining({ user: (await s.h.user('alice')).id })])
  })

  it('kills every access token and session of the user at once; others are untouched', async () => {
    await using s = await server()
    const phone = await s.h.login('alice')
    const laptop = await s.h.login('alice')
    const bob = await s.h.login('bob')
    expect((await reset(s.h, await s.h.resetToken('alice@example.com'))).status).toBe(200)
    for (const t of [phone, laptop]) {
      expect((await s.h.bearer(t.access_token)).status).toBe(401)
      expect((await s.h.refresh(t.refresh_token!)).status).toBe(401)
    }
    expect(await s.h.liveSessions((await s.h.user('alice')).id)).toEqual([])
    expect((await s.h.bearer(bob.access_token)).status).toBe(200)
  })

  it('a guessable password: 400 as the policy answers, and the link still works', async () => {
    await using s = await server()
    const token = await s.h.resetToken('alice@example.com')
    const weak = await reset(s.h, token, 'password1')
    await expectCode(weak, 400, 'invalid_request')
    expect(await s.h.json('POST', '/auth/login', users[0])).toHaveProperty('status', 200)
    expect((await reset(s.h, token)).status).toBe(200)
  })

  it('links point at the configured origin, never at the request’s Host', async () => {
    await using s = await server()
    const forgot = await s.h.app.request('http://evil.example/auth/password/forgot', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
      },
      body: JSON.stringify({ email: 'alice@example.com' }),
    })
    expect(forgot.status).toBe(200)
    await s.h.app.flushMail()
    const mail = s.h.mailbox.last('alice@example.com')!
    expect(new URL(mail.link!).origin).toBe(LINK_ORIGIN)
    expect(`${mail.text}${mail.html}`).not.toContain('evil.example')
  })

  it('works for 30 minutes, not a second more', async () => {
    await using s = await server()
    const late = await s.h.resetToken('alice@example.com')
    s.h.clock.advance(30 * 60)
    await expectCode(await reset(s.h, late), 400, 'invalid_reset_token')
    const timely = await s.h.resetToken('alice@example.com')
    s.h.clock.advance(30 * 60 - 1)
    expect((await reset(s.h, timely)).status).toBe(200)
  })

  it('a newer request spends the older link; so does a password change', async () => {
    await using s = await server()
    const first = await s.h.resetToken('alice@example.com')
    const second = await s.h.resetToken('alice@example.com')
    await expectCode(await reset(s.h, first), 400, 'invalid_reset_token')
    const { access_token } = await s.h.login('alice')
    const change = { current_password: 'alice-password', new_password: OTHER }
    expect((await s.h.bearer(access_token, 'POST', '/auth/password', change)).status).toBe(200)
    await expectCode(await reset(s.h, second), 400, 'invalid_reset_token')
    expect((await s.h.login('alice', OTHER)).access_token).toBeTruthy()
  })

  it('two resets with one link at once: exactly one sets its password', async () => {
    await using s = await server()
    const token = await s.h.resetToken('alice@example.com')
    const answers = await Promise.all([reset(s.h, token, STRONG), reset(s.h, token, OTHER)])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400])
    const won = answers[0]!.status === 200 ? STRONG : OTHER
    expect((await s.h.login('alice', won)).access_token).toBeTruthy()
    expect(await resets(s.h)).toHaveLength(1)
  })

  it('a disabled account gets no mail, and a link it had stops working', async () => {
    await using s = await server()
    const token = await s.h.resetToken('alice@example.com')
    await s.h.app.admin.disable((await s.h.user('alice')).id)
    await expectCode(await reset(s.h, token), 400, 'invalid_reset_token')
    const before = s.h.mailbox.messages.length
    expect((await s.h.json('POST', '/auth/password/forgot', { email: 'alice@example.com' })).status).toBe(200)
    await s.h.app.flushMail()
    expect(s.h.mailbox.messages).toHaveLength(before)
  })

  it('limits resets per account (429 with Retry-After), the link kept', async () => {
    await using s = await server({ recoveryRate: 2 })
    const token = await s.h.resetToken('alice@example.com')
    await expectCode(await reset(s.h, token, 'password1'), 400, 'invalid_request')
    await expectCode(await reset(s.h, token, 'qwerty123'), 400, 'invalid_request')
    const limited = await reset(s.h, token)
    await expectCode(limited, 429, 'rate_limited')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(60)
    const hash = await sha256(token)
    expect(await s.h.store.findAccountToken(hash, 'reset_password', s.h.clock.now())).not.toBeNull()
  })
})
