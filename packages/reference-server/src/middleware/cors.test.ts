import { describe, expect, it } from 'vitest'
import { testServer } from '../test/harness.js'

// The preflight of every method a listed origin's page calls, DELETE /auth/sessions/:id (the SDK's
// revokeSession) among them; an origin not listed gets no CORS headers.

const LISTED = 'https://app.example'

const preflight = (s: Awaited<ReturnType<typeof testServer>>, origin: string, method: string, path: string) =>
  s.app.request(path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  })

describe('CORS with corsOrigins', () => {
  it.each([
    ['GET', '/auth/sessions'],
    ['POST', '/auth/refresh'],
    ['PATCH', '/admin/users/u1'],
    ['DELETE', '/auth/sessions/s1'],
  ])(
    'a listed origin may send %s %s, with credentials and the Authorization header',
    async (method, path) => {
      const s = await testServer({ config: { corsOrigins: [LISTED] } })
      const res = await preflight(s, LISTED, method, path)
      expect(res.status).toBe(204)
      expect(res.headers.get('access-control-allow-origin')).toBe(LISTED)
      expect(res.headers.get('access-control-allow-credentials')).toBe('true')
      expect(res.headers.get('access-control-allow-methods')?.split(',')).toContain(method)
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
    },
  )

  it('an origin not listed is not allowed, DELETE included', async () => {
    const s = await testServer({ config: { corsOrigins: [LISTED] } })
    const res = await preflight(s, 'https://evil.example', 'DELETE', '/auth/sessions/s1')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('a DELETE from a listed origin reaches the route, and its answer carries the origin', async () => {
    const s = await testServer({ config: { corsOrigins: [LISTED] } })
    const { access_token, session } = await s.login('alice')
    const res = await s.app.request(`/auth/sessions/${session.id}`, {
      method: 'DELETE',
      headers: { origin: LISTED, authorization: `Bearer ${access_token}` },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe(LISTED)
  })
})
