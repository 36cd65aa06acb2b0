import { describe, expect, it } from 'vitest'
import { type TestServer, testServer } from '../test/harness.js'

// Register and password change refuse a guessable new password (auth/password-policy.ts) as they refuse a
// body that breaks the schema: 400 invalid_request, one detail naming the field, and nothing changes.

async function expectWeak(res: Response, field: string) {
  expect(res.status).toBe(400)
  const body = (await res.json()) as {
    error: { code: string; message: string; details: Array<{ path: string; message: string }> }
  }
  expect(body.error.code).toBe('invalid_request')
  expect(body.error.details).toEqual([{ path: field, message: expect.any(String) }])
}

const register = (s: TestServer, username: string, password: string) =>
  s.json('POST', '/auth/register', { username, password })

describe('the password policy', () => {
  it.each(['password', '12345678', 'qwertyuiop', '        ', 'aaaaaaaa', 'carol_smith', 'CAROL_SMITH'])(
    'register refuses %j for carol_smith, and creates no user',
    async (password) => {
      const s = await testServer()
      await expectWeak(await register(s, 'carol_smith', password), 'password')
      expect(await s.store.findUserByUsername('carol_smith')).toBeNull()
    },
  )

  it('register takes a password that is not on the lists', async () => {
    const s = await testServer()
    expect((await register(s, 'carol_smith', 'carol-password')).status).toBe(201)
  })

  it('password change refuses password1 as new_password; the old password and the session stay', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const res = await s.bearer(t.access_token, 'POST', '/auth/password', {
      current_password: 'alice-password',
      new_password: 'password1',
    })
    await expectWeak(res, 'new_password')
    expect((await s.bearer(t.access_token)).status).toBe(200)
    expect((await s.login('alice')).user.username).toBe('alice')
  })
})
