import { describe, expect, it } from 'vitest'
import { type RefusalCode, refusals, storeUnavailable } from './auth/refusal.js'
import { errorResponse, refusalResponse } from './error-response.js'
import { apiError } from './errors.js'

// The protocol's error answer is spelled once: a refusal of the check and the ApiError of its code answer alike.

describe('errorResponse', () => {
  it('answers a refusal and the ApiError of its code alike', () => {
    const all: Array<[RefusalCode, ReturnType<typeof storeUnavailable>]> = [
      ...Object.entries(refusals),
      ['store_unavailable', storeUnavailable(new Error('ECONNREFUSED'))],
    ] as Array<[RefusalCode, ReturnType<typeof storeUnavailable>]>
    for (const [name, refused] of all) {
      const headers = refused.headers && { headers: { ...refused.headers } }
      expect(refusalResponse(refused), name).toEqual(errorResponse(apiError(refused.code, headers)))
    }
    // A token of a retired key: token_expired, with its own challenge.
    expect(refusalResponse(refusals.retired_key)).toMatchObject({
      status: 401,
      headers: {
        'WWW-Authenticate': 'Bearer error="invalid_token", error_description="the signing key was retired"',
      },
      body: { error: { code: 'token_expired' } },
    })
    expect(refusalResponse(refusals.missing_token).headers).toEqual({
      'WWW-Authenticate': 'Bearer error="invalid_request"',
    })
    expect(refusalResponse(refusals.token_expired).headers).toEqual({
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    })
    expect(refusalResponse(refusals.user_disabled).body).toEqual({
      error: { code: 'user_disabled', message: expect.any(String) },
      user_enabled: false,
    })
    expect(refusalResponse(storeUnavailable(new Error('down')))).toEqual({
      status: 503,
      headers: { 'Retry-After': '1' },
      body: { error: { code: 'store_unavailable', message: expect.any(String) } },
    })
  })

  it('keeps a failure’s own headers and details', () => {
    expect(errorResponse(apiError('server_busy', { headers: { 'Retry-After': '3' } })).headers).toEqual({
      'Retry-After': '3',
    })
    const details = [{ path: 'username', message: 'required' }]
    expect(errorResponse(apiError('invalid_request', { details }))).toEqual({
      status: 400,
      headers: {},
      body: { error: { code: 'invalid_request', message: expect.any(String), details } },
    })
  })
})
