import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMockBackend } from './msw.js'

// The msw form keeps the mail the server sends in memory (`backend.mailbox`), each with its link and
// token, so an app's tests can follow a verification or reset flow end to end with no SMTP server.

const BASE = 'http://api.test'
const backend = createMockBackend({
  baseUrl: BASE,
  linkOrigin: 'https://app.test',
  users: [{ username: 'alice', password: 'alice-password', email: 'alice@example.com' }],
})
const server = setupServer(...backend.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => backend.reset())
afterAll(() => server.close())

const post = (path: string, body: unknown) =>
  fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('backend.mailbox', () => {
  it('holds the reset mail with its link; the link resets the password once', async () => {
    expect((await post('/auth/password/forgot', { email: 'alice@example.com' })).status).toBe(200)
    await backend.mailbox.settled()
    const mail = backend.mailbox.last('alice@example.com')!
    expect(mail.link).toBe(`https://app.test/reset-password?token=${mail.token}`)
    expect(mail.html).toContain(mail.link!)
    const password = 'correct horse battery staple 42'
    expect((await post('/auth/password/reset', { token: mail.token, password })).status).toBe(200)
    expect((await post('/auth/password/reset', { token: mail.token, password })).status).toBe(400)
    expect((await post('/auth/login', { username: 'alice', password })).status).toBe(200)
  })

  it('holds the verification mail of a registration; reset() empties it', async () => {
    const body = { username: 'bob', password: 'correct horse battery staple 42', email: 'bob@example.com' }
    expect((await post('/auth/register', body)).status).toBe(201)
    const { token } = backend.mailbox.last('bob@example.com')!
    expect((await post('/auth/email/verify', { token })).status).toBe(200)
    expect((await backend.admin.user('bob')).email_verified).toBe(true)
    await backend.reset()
    expect(backend.mailbox.messages).toEqual([])
  })
})
