import { type ErrorCode, errorTable } from '@leash/protocol'
import { expect, expectTypeOf, test } from 'vitest'
import { type ClientErrorCode, LeashError, type LeashErrorCode, toLeashError } from './errors.js'

// Checked by the compiler (npm run typecheck); at run time expectTypeOf does nothing.
test("LeashErrorCode is the protocol table's codes plus the client's own, which the server never sends", () => {
  expectTypeOf<Exclude<LeashErrorCode, ClientErrorCode>>().toEqualTypeOf<keyof typeof errorTable>()
  expectTypeOf<Extract<ClientErrorCode, ErrorCode>>().toBeNever()
  expectTypeOf<'store_unavailable'>().toExtend<LeashErrorCode>()
  expectTypeOf<'internal_error'>().toExtend<LeashErrorCode>()
})

test('every code of the table reaches the caller with its status', () => {
  for (const [code, { status, message }] of Object.entries(errorTable)) {
    const e = toLeashError({ response: { status, data: { error: { code, message } } } })
    expect(e, code).toMatchObject({ code, status })
  }
})

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
