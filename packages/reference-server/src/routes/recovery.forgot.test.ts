import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../app.js'
import type { ServerConfig } from '../config.js'
import type { Mailer } from '../mail/mailer.js'
import { expectCode, type TestServer, testServer, USERS } from '../test/harness.js'
import { stores } from '../test/store-fixtures.js'

// POST /auth/password/forgot answers alike for every address: an enabled account's (verified or not), a
// disabled one's, one with no account. Its answer waits for nothing about the account, nor for the mail:
// a mailer that hangs or fails changes neither the answer nor its timing (timing: bench/forgot-timing.js).

const users = [
  { username: 'alice', password: 'alice-password', email: 'alice@example.com' },
  { username: 'dana', password: 'dana-password', email: 'dana@example.com', enabled: false },
  { username: 'erin', password: 'erin-password', email: 'erin@example.com' },
  ...USERS.slice(1),
]
const ADDRESSES = {
  verified: 'alice@example.com',
  unverified: 'erin@example.com',
  disabled: 'dana@example.com',
  unknown: 'nobody@example.com',
}

/** Everything of an answer but its Date (headers as a sorted list; the body as text). */
async function answer(res: Response) {
  const headers = [...res.headers].filter(([name]) => name !== 'date').sort()
  return { status: res.status, headers, body: await res.text() }
}

describe.each(stores)('%s store: forgot password', (_name, make) => {
  const server = async (
    options: { config?: Partial<ServerConfig>; mailer?: Mailer; log?: (e: LogEntry) => void } = {},
  ) => {
    const store = make()
    const h = await testServer({ store, users, ...options })
    // An account whose address is not verified (seeded addresses are).
    await h.store.updateUser((await h.user('erin')).id, { emailVerified: false })
    return { h, [Symbol.asyncDispose]: () => store.close() }
  }
  const forgot = (h: TestServer, email: string, ip = '198.51.100.7') =>
    h.json('POST', '/auth/password/forgot', { email }, { 'x-test-ip': ip })

  it('the same status, headers and body for a verified, unverified, disabled or unknown address', async () => {
    await using s = await server()
    const answers = []
    for (const email of Object.values(ADDRESSES)) answers.push(await answer(await forgot(s.h, email)))
    expect(answers[0]).toMatchObject({ status: 200, body: JSON.stringify({ accepted: true }) })
    for (const other of answers.slice(1)) expect(other).toEqual(answers[0])
    await s.h.app.flushMail()
    // Only the enabled accounts got a link.
    const mailed = s.h.mailbox.messages.filter((m) => m.subject === 'Reset your password').map((m) => m.to)
    expect(mailed.sort()).toEqual([ADDRESSES.verified, ADDRESSES.unverified].sort())
    await s.h.app.flushAudit()
    const requested = await s.h.store.listEvents({ limit: 10, type: 'password.reset_requested' })
    expect(requested.map((e) => e.user === null).sort()).toEqual([false, false, true, true])
  })

  it('a mailer that never answers, or fails, changes nothing of the answer', async () => {
    const hang: Mailer = { send: () => new Promise<never>(() => {}) }
    const fail: Mailer = { send: () => Promise.reject(new Error('421 try later')) }
    const answers = []
    for (const mailer of [hang, fail, undefined]) {
      await using s = await server({ ...(mailer && { mailer }), log: () => {} })
      answers.push(await answer(await forgot(s.h, ADDRESSES.verified)))
      answers.push(await answer(await forgot(s.h, ADDRESSES.unknown)))
    }
    for (const other of answers.slice(1)) expect(other).toEqual(answers[0])
  })

  it('a store that fails after the answer is logged, never answered', async () => {
    const log: LogEntry[] = []
    await using s = await server({ log: (e) => log.push(e) })
    const broken = Object.assign(s.h.store, {
      findUserByEmail: () => Promise.reject(new Error('connection refused')),
    })
    expect(broken).toBe(s.h.store)
    expect((await forgot(s.h, ADDRESSES.verified)).status).toBe(200)
    await s.h.app.flushMail()
    expect(log).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'password reset request failed' }),
    )
  })

  it('limits per address asked for, counted whether or not it has an account, and per caller', async () => {
    await using s = await server({ config: { recoveryRate: 2, ipRate: 5 } })
    for (const email of [ADDRESSES.verified, ADDRESSES.unknown]) {
      expect((await forgot(s.h, email, '198.51.100.1')).status).toBe(200)
      expect((await forgot(s.h, email.toUpperCase(), '198.51.100.2')).status).toBe(200)
      const limited = await forgot(s.h, email, '198.51.100.3')
      await expectCode(limited, 429, 'rate_limited')
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3000)
    }
    // One caller, many addresses: its own budget (ipRate a minute) runs out.
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push((await forgot(s.h, `x${i}@example.com`, '198.51.100.9')).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
  })
})
