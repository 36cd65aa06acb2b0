import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogEntry } from '../../log.js'
import { LINK_ORIGIN, testServer } from '../../test/harness.js'
import { type SmtpSink, startSmtpSink } from '../../test/smtp-sink.js'
import { createSmtpMailer } from './smtp-mailer.js'

// Account mail through nodemailer to a real SMTP server the test starts, read back with mailparser: a
// text and an HTML body, the link on LEASH_PUBLIC_ORIGIN with the token as its `token` parameter, the
// username escaped in the HTML; a refused mail is retried, and the answer never changes.

let sink: SmtpSink
beforeAll(async () => {
  sink = await startSmtpSink()
})
afterAll(() => sink.close())

const STRONG = 'correct horse battery staple 42'
const EVE = '<b>eve</b>&co'

async function server(log?: (entry: LogEntry) => void) {
  const mailer = createSmtpMailer({ url: sink.url, from: 'Leash <no-reply@app.example>' })
  const users = [{ username: EVE, password: 'eve-password', email: 'eve@example.com' }]
  const h = await testServer({ users, mailer, mailRetry: { backoffMs: 50 }, ...(log && { log }) })
  return { h, [Symbol.dispose]: () => mailer.close() }
}

describe('account mail over SMTP', () => {
  it('a reset mail: text and HTML, the link on the public origin, the username escaped; the link works', async () => {
    using s = await server()
    const before = sink.count('eve@example.com')
    expect((await s.h.json('POST', '/auth/password/forgot', { email: 'eve@example.com' })).status).toBe(200)
    const mail = await sink.next('eve@example.com', before)
    expect(mail.subject).toBe('Reset your password')
    expect(mail.from?.value).toEqual([{ name: 'Leash', address: 'no-reply@app.example' }])
    const link = /https:\/\/\S+/.exec(mail.text ?? '')?.[0] ?? ''
    const url = new URL(link)
    expect(`${url.origin}${url.pathname}`).toBe(`${LINK_ORIGIN}/reset-password`)
    const token = url.searchParams.get('token')!
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(mail.text).toContain(`Hello ${EVE},`)
    expect(mail.html).toContain('Hello &lt;b&gt;eve&lt;/b&gt;&amp;co,')
    expect(mail.html).not.toContain('<b>eve')
    expect(mail.html).toContain(`href="${LINK_ORIGIN}/reset-password?token=${token}"`)
    const reset = await s.h.json('POST', '/auth/password/reset', { token, password: STRONG })
    expect(reset.status).toBe(200)
  })

  it('a mail the server refuses is retried; the refusal is logged at error without the token', async () => {
    const log: LogEntry[] = []
    using s = await server((e) => log.push(e))
    sink.refuse(1)
    const before = sink.count('carol@example.com')
    const res = await s.h.json('POST', '/auth/register', {
      username: 'carol',
      password: STRONG,
      email: 'carol@example.com',
    })
    expect(res.status).toBe(201)
    const mail = await sink.next('carol@example.com', before)
    expect(mail.subject).toBe('Confirm your email address')
    const token = new URL(/https:\/\/\S+/.exec(mail.text ?? '')![0]).searchParams.get('token')!
    const refused = log.filter((e) => e.level === 'error')
    expect(refused).toEqual([
      expect.objectContaining({ msg: 'mail not sent; retrying', kind: 'verify_email' }),
    ])
    expect(JSON.stringify(log)).not.toContain(token)
    expect((await s.h.json('POST', '/auth/email/verify', { token })).status).toBe(200)
  })
})
