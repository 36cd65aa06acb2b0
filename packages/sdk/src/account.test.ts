import { HttpResponse, http } from 'msw'
import { describe, expect, test } from 'vitest'
import { mockBackend, rejection } from '../test/harness.js'
import { createLeashAccount } from './account.js'

// The recovery calls against the wire of the reference server's routes (mocked here: POST
// /auth/password/forgot {email}, /auth/password/reset {token, password}, /auth/email/verify {token}; 200,
// or 400 invalid_reset_token / invalid_verification_token, 429 rate_limited).
const { client, server, count } = mockBackend()

const refusal = (code: string, status: number, headers: Record<string, string> = {}) =>
  HttpResponse.json({ error: { code, message: 'refused' } }, { status, headers })

/** Answers `path` with `answer`, recording each body and Authorization header it was sent. */
function route(path: string, answer: () => Response = () => HttpResponse.json({ ok: true })) {
  const sent: { body: unknown; authorization: string | null }[] = []
  server.use(
    http.post(path, async ({ request }) => {
      sent.push({ body: await request.json(), authorization: request.headers.get('authorization') })
      return answer()
    }),
  )
  return sent
}

describe('createLeashAccount', () => {
  test('each call posts its wire shape, without a token, and resolves with nothing', async () => {
    const leash = client()
    await leash.login({ username: 'alice', password: 'alice-password' })
    const account = createLeashAccount(leash)
    const forgot = route('/auth/password/forgot')
    const reset = route('/auth/password/reset')
    const verify = route('/auth/email/verify')
    await expect(account.requestPasswordReset('alice@example.com')).resolves.toBeUndefined()
    await expect(account.resetPassword('reset-token', 'a new password 42')).resolves.toBeUndefined()
    await expect(account.verifyEmail('verify-token')).resolves.toBeUndefined()
    expect(forgot).toEqual([{ body: { email: 'alice@example.com' }, authorization: null }])
    expect(reset).toEqual([
      { body: { token: 'reset-token', password: 'a new password 42' }, authorization: null },
    ])
    expect(verify).toEqual([{ body: { token: 'verify-token' }, authorization: null }])
    // the session of this client is left as it was (see resetPassword)
    expect(leash.store.getState().status).toBe('authenticated')
  })

  test('refusals reject with the server’s code and status', async () => {
    const account = createLeashAccount(client())
    route('/auth/password/reset', () => refusal('invalid_reset_token', 400))
    route('/auth/email/verify', () => refusal('invalid_verification_token', 400))
    route('/auth/password/forgot', () => refusal('rate_limited', 429, { 'Retry-After': '60' }))
    expect(await rejection(account.resetPassword('spent', 'a new password 42'))).toMatchObject({
      name: 'LeashError',
      code: 'invalid_reset_token',
      status: 400,
    })
    expect(await rejection(account.verifyEmail('spent'))).toMatchObject({
      code: 'invalid_verification_token',
      status: 400,
    })
    expect(await rejection(account.requestPasswordReset('a@example.com'))).toMatchObject({
      code: 'rate_limited',
      status: 429,
    })
  })

  test('the error never carries the password or the token it was sent with', async () => {
    const account = createLeashAccount(client())
    route('/auth/password/reset', () => refusal('invalid_reset_token', 400))
    const error = await rejection(account.resetPassword('secret-reset-token', 'secret password 42'))
    const seen = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).cause)
    expect(seen).not.toContain('secret')
  })

  test('authBaseURL sends them where /auth/* is', async () => {
    const account = createLeashAccount(client(), { authBaseURL: 'https://id.example.test' })
    const sent = route('https://id.example.test/auth/email/verify')
    await account.verifyEmail('t')
    expect(sent).toHaveLength(1)
    expect(count('/auth/email/verify')).toBe(1)
  })
})
