import { expect, test } from 'vitest'
import { LeashError, toLeashError } from './errors.js'

test("toLeashError takes the server's code and status, and network failures become network_error", () => {
  const server = toLeashError({
    response: { status: 401, data: { error: { code: 'session_revoked', message: 'm' } } },
  })
  expect(server).toBeInstanceOf(LeashError)
  expect(server).toMatchObject({ code: 'session_revoked', status: 401, name: 'LeashError' })
  expect(toLeashError({ response: { status: 502, data: '<html>' } })).toMatchObject({
    code: 'http_error',
    status: 502,
  })
  expect(toLeashError(new Error('socket hang up'))).toMatchObject({
    code: 'network_error',
    status: undefined,
  })
  const same = new LeashError('logged_out')
  expect(toLeashError(same)).toBe(same)
})

test('a message never carries a token', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig'
  const e = toLeashError({
    response: { status: 401, data: { error: { code: 'invalid_token', message: token } } },
  })
  expect(e.message).not.toContain(token)
})
