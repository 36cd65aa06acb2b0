import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../log.js'
import { testServer } from '../test/harness.js'
import type { Mailer, MailMessage } from './mailer.js'
import { createMemoryMailer } from './mailer.js'
import { escapeHtml, resetMail } from './templates.js'

// Account mail goes out off the request's path: a failed send is logged at `error` (without the token or
// the link: a log is read by more people than the mailbox) and retried with a doubling backoff, and no
// answer ever depends on it.

const users = [{ username: 'alice', password: 'alice-password', email: 'alice@example.com' }]

/** Fails `failures` times (with an error that quotes the whole message, as some servers do), then sends. */
function flaky(failures: number) {
  const delivered = createMemoryMailer()
  const tries: number[] = []
  const mailer: Mailer = {
    async send(message: MailMessage) {
      tries.push(performance.now())
      if (tries.length <= failures) throw new Error(`550 rejected: ${message.text}`)
      await delivered.send(message)
    },
  }
  return { mailer, tries, delivered }
}

describe('the outbox', () => {
  it('retries a failed mail with a doubling backoff, logging each failure at error without token or link', async () => {
    const log: LogEntry[] = []
    const { mailer, tries, delivered } = flaky(2)
    const h = await testServer({ users, mailer, mailRetry: { backoffMs: 20 }, log: (e) => log.push(e) })
    const res = await h.json('POST', '/auth/password/forgot', { email: 'alice@example.com' })
    expect(res.status).toBe(200)
    await h.app.flushMail()
    expect(tries).toHaveLength(3)
    expect(tries[2]! - tries[1]!).toBeGreaterThanOrEqual(tries[1]! - tries[0]!)
    const token = delivered.last()!.token!
    const failures = log.filter((e) => e.level === 'error')
    expect(failures).toEqual([
      expect.objectContaining({ msg: 'mail not sent; retrying', kind: 'reset_password', attempt: 1 }),
      expect.objectContaining({ msg: 'mail not sent; retrying', kind: 'reset_password', attempt: 2 }),
    ])
    const text = JSON.stringify(log)
    expect(text).toContain('550 rejected')
    expect(text).not.toContain(token)
    expect(text).not.toMatch(/token=[A-Za-z0-9_-]/)
    expect(text).not.toContain('alice@example.com')
  })

  it('gives up after the last try, logged; the answer was the same all along', async () => {
    const log: LogEntry[] = []
    const { mailer, tries } = flaky(Number.POSITIVE_INFINITY)
    const h = await testServer({
      users,
      mailer,
      mailRetry: { attempts: 3, backoffMs: 1 },
      log: (e) => log.push(e),
    })
    const res = await h.json('POST', '/auth/register', {
      username: 'bob',
      password: 'purple elephant umbrella 1987',
      email: 'bob@example.com',
    })
    expect(res.status).toBe(201)
    await h.app.flushMail()
    expect(tries).toHaveLength(3)
    expect(log.filter((e) => e.level === 'error').map((e) => e.msg)).toEqual([
      'mail not sent; retrying',
      'mail not sent; retrying',
      'mail given up',
    ])
  })
})

describe('the mail', () => {
  it('has a text and an HTML body, both with the link; the HTML escapes the username', () => {
    const link = 'https://app.example/reset-password?token=abc'
    const mail = resetMail({ to: 'x@example.com', username: '<img src=x onerror=alert(1)>', link }, 30)
    expect(mail.text).toContain(link)
    expect(mail.html).toContain(`href="${escapeHtml(link)}"`)
    expect(mail.html).not.toContain('<img')
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })
})
