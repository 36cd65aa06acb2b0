import { describe, expect, it } from 'vitest'
import { codeOf, testServer } from '../test/harness.js'

// What this instance learns from the store it drops from its cache at once, and tells every instance: a
// revocation committed by an instance that died before any word of it reached this one (here: written to
// the store behind the app's back) is refused from the moment this instance reads it, not 5 s later when
// its cached copy would have expired.

describe('a session found ended in the store', () => {
  it('a revoke answered 404 (the retry of one that committed elsewhere) drops it: its token is refused next', async () => {
    const s = await testServer()
    const phone = await s.login('alice')
    const laptop = await s.login('alice')
    expect((await s.bearer(phone.access_token)).status).toBe(200) // cached
    await s.store.endSession(phone.session.id, 'revoked', s.clock.now())
    const retry = await s.bearer(laptop.access_token, 'DELETE', `/auth/sessions/${phone.session.id}`)
    expect(retry.status).toBe(404)
    expect(await codeOf(retry)).toBe('session_not_found')
    const res = await s.bearer(phone.access_token)
    expect(res.status).toBe(401)
    expect(await codeOf(res)).toBe('session_revoked')
  })

  it('a refresh refused as revoked drops it: its access token is refused next', async () => {
    const s = await testServer()
    const phone = await s.login('alice')
    expect((await s.bearer(phone.access_token)).status).toBe(200) // cached
    await s.store.endSession(phone.session.id, 'revoked', s.clock.now())
    const refused = await s.refresh(phone.refresh_token!)
    expect(await codeOf(refused)).toBe('session_revoked')
    const res = await s.bearer(phone.access_token)
    expect(res.status).toBe(401)
    expect(await codeOf(res)).toBe('session_revoked')
  })
})
