import { describe, expect, it } from 'vitest'
import type { ServerConfig } from '../config.js'
import { expectCode, LINK_ORIGIN, type TestServer, testServer, USERS } from '../test/harness.js'
import { stores } from '../test/store-fixtures.js'
import { sha256 } from '../tokens/random.js'

// Email on users and its verification, on every store: register with an email mails a single-use link
// (24 h, only the newest works); POST /auth/email/verify spends it once; LEASH_REQUIRE_VERIFIED_EMAIL
// refuses sign-in until then, and only once the password is right.

const STRONG = 'correct horse battery staple 42'
const CAROL = { username: 'carol', password: STRONG, email: 'Carol@Example.com' }

describe.each(stores)('%s store: email verification', (_name, make) => {
  const server = async (config: Partial<ServerConfig> = {}) => {
    const store = make()
    const h = await testServer({ store, config })
    return { h, [Symbol.asyncDispose]: () => store.close() }
  }
  const register = async (h: TestServer, body = CAROL) => {
    const res = await h.json('POST', '/auth/register', body)
    await h.app.flushMail()
    return res
  }
  const linkToken = (h: TestServer, to = CAROL.email) => h.mailbox.last(to)?.token ?? ''
  const verify = (h: TestServer, token: string) => h.json('POST', '/auth/email/verify', { token })
  const events = async (h: TestServer, type: 'email.verified' | 'email.verification_sent') => {
    await h.app.flushAudit()
    return h.store.listEvents({ limit: 50, type })
  }

  it('register with an email: 201, the account has it unverified, and a mail links to the verify page', async () => {
    await using s = await server()
    const res = await register(s.h)
    expect(res.status).toBe(201)
    expect(await s.h.user('carol')).toMatchObject({ email: 'Carol@Example.com', emailVerified: false })
    const mail = s.h.mailbox.last('carol@example.com')!
    expect(mail.to).toBe('Carol@Example.com')
    const link = new URL(mail.link!)
    expect(`${link.origin}${link.pathname}`).toBe(`${LINK_ORIGIN}/verify-email`)
    // 32 random bytes, base64url; the store has only its SHA-256.
    expect(mail.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const at = s.h.clock.now()
    expect(await s.h.store.findAccountToken(mail.token!, 'verify_email', at)).toBeNull()
    expect(await s.h.store.findAccountToken(await sha256(mail.token!), 'verify_email', at)).not.toBeNull()
    expect(await events(s.h, 'email.verification_sent')).toHaveLength(1)
  })

  it('the link verifies once: a second use is 400 invalid_verification_token and changes nothing', async () => {
    await using s = await server()
    await register(s.h)
    const token = linkToken(s.h)
    const first = await verify(s.h, token)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ verified: true })
    const me = await s.h.bearer((await s.h.login('carol', STRONG)).access_token)
    expect(((await me.json()) as { user: unknown }).user).toMatchObject({ email_verified: true })
    await expectCode(await verify(s.h, token), 400, 'invalid_verification_token')
    expect(await events(s.h, 'email.verified')).toHaveLength(1)
    await expectCode(await verify(s.h, 'A'.repeat(43)), 400, 'invalid_verification_token')
  })

  it('two uses at once: exactly one verifies', async () => {
    await using s = await server()
    await register(s.h)
    const token = linkToken(s.h)
    const answers = await Promise.all([verify(s.h, token), verify(s.h, token), verify(s.h, token)])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400])
    expect(await events(s.h, 'email.verified')).toHaveLength(1)
  })

  it('works for 24 hours, not a second more', async () => {
    await using s = await server()
    await register(s.h)
    const token = linkToken(s.h)
    s.h.clock.advance(24 * 3600)
    await expectCode(await verify(s.h, token), 400, 'invalid_verification_token')
    const fresh = await s.h.login('carol', STRONG)
    await s.h.bearer(fresh.access_token, 'POST', '/auth/email/resend')
    await s.h.app.flushMail()
    s.h.clock.advance(24 * 3600 - 1)
    expect((await verify(s.h, linkToken(s.h))).status).toBe(200)
  })

  it('resend (Bearer): a new link, the old one dead; limited per hour; 409 once verified', async () => {
    await using s = await server({ recoveryRate: 2 })
    await register(s.h)
    const old = linkToken(s.h)
    const { access_token } = await s.h.login('carol', STRONG)
    const resend = () => s.h.bearer(access_token, 'POST', '/auth/email/resend')
    const res = await resend()
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ sent: true, user_enabled: true })
    await s.h.app.flushMail()
    const fresh = linkToken(s.h)
    expect(fresh).not.toBe(old)
    await expectCode(await verify(s.h, old), 400, 'invalid_verification_token')
    expect((await resend()).status).toBe(200)
    const limited = await resend()
    await expectCode(limited, 429, 'rate_limited')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(60)
    await s.h.app.flushMail()
    expect((await verify(s.h, linkToken(s.h))).status).toBe(200)
    s.h.clock.advance(3600)
    const later = await s.h.login('carol', STRONG)
    await expectCode(
      await s.h.bearer(later.access_token, 'POST', '/auth/email/resend'),
      409,
      'nothing_to_verify',
    )
    const alice = await s.h.login('alice')
    await expectCode(
      await s.h.bearer(alice.access_token, 'POST', '/auth/email/resend'),
      409,
      'nothing_to_verify',
    )
  })

  it('an email taken in another case: 409 email_taken, nothing created', async () => {
    await using s = await server()
    await register(s.h)
    const again = { username: 'dave', password: STRONG, email: 'CAROL@example.COM' }
    await expectCode(await register(s.h, again), 409, 'email_taken')
    expect(await s.h.store.findUserByUsername('dave')).toBeNull()
    await expectCode(await register(s.h, { ...again, email: 'not an address' }), 400, 'invalid_request')
    await expectCode(
      await register(s.h, { ...again, email: 'a@b.example, c@d.example' }),
      400,
      'invalid_request',
    )
  })

  it('LEASH_REQUIRE_VERIFIED_EMAIL: 403 email_not_verified, only after the right password, until verified', async () => {
    await using s = await server({ requireVerifiedEmail: true })
    await expectCode(await register(s.h, { ...CAROL, email: undefined as never }), 400, 'invalid_request')
    await register(s.h)
    const login = (password: string) => s.h.json('POST', '/auth/login', { username: 'carol', password })
    await expectCode(await login('wrong-password'), 401, 'invalid_credentials')
    await expectCode(await login(STRONG), 403, 'email_not_verified')
    await verify(s.h, linkToken(s.h))
    expect((await login(STRONG)).status).toBe(200)
    // An account with no email at all is not verified either.
    await expectCode(await s.h.json('POST', '/auth/login', USERS[0]), 403, 'email_not_verified')
  })

  it('GET /auth/me and the admin views show the email and whether it is verified', async () => {
    await using s = await server()
    await register(s.h)
    const root = await s.h.login('root')
    const list = (await (await s.h.bearer(root.access_token, 'GET', '/admin/users')).json()) as {
      users: Array<Record<string, unknown>>
    }
    expect(list.users.find((u) => u.username === 'carol')).toMatchObject({
      email: 'Carol@Example.com',
      email_verified: false,
      enabled: true,
    })
    expect(list.users.find((u) => u.username === 'alice')).toMatchObject({
      email: null,
      email_verified: false,
    })
    const carol = await s.h.login('carol', STRONG)
    const me = (await (await s.h.bearer(carol.access_token)).json()) as { user: unknown }
    expect(me.user).toMatchObject({ email: 'Carol@Example.com', email_verified: false })
  })
})
