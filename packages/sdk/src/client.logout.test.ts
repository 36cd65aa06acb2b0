import { decodeJwt } from 'jose'
import { HttpResponse, http } from 'msw'
import { expect, test, vi } from 'vitest'
import { ALICE, mockBackend, rejection, sessionKey } from '../test/harness.js'

const { client, server, count } = mockBackend()
const stored = () => JSON.parse(localStorage.getItem(sessionKey()) ?? 'null')

test('logout: the stored token becomes the 1-second one naming the ended session', async () => {
  const leash = client()
  const loggedOut = vi.fn()
  leash.on('loggedOut', loggedOut)
  await leash.login(ALICE)
  const old = leash.store.getState().accessToken!
  const before = decodeJwt(old)
  await leash.logout()
  const s = leash.store.getState()
  expect(s.status).toBe('loggedOut')
  const token = stored().accessToken as string
  expect(token).toBe(s.accessToken)
  const claims = decodeJwt(token)
  expect(claims.exp! - claims.iat!).toBe(1)
  expect(claims.sid).toBe(before.sid)
  expect(s.accessExpiresAt! - Date.now()).toBeLessThanOrEqual(1_000)
  expect(loggedOut).toHaveBeenCalledWith({ remote: false })
  // nothing left to refresh here, and the server refuses the old token
  expect(await rejection(leash.extend())).toMatchObject({ code: 'no_session' })
  expect(count('/auth/refresh')).toBe(0)
  const reused = leash.http.get('/api/notes', {
    leash: { skipAuth: true },
    headers: { Authorization: `Bearer ${old}` },
  })
  expect(await rejection(reused)).toMatchObject({ code: 'session_revoked', status: 401 })
})

test('logout with body transport drops the refresh token from storage', async () => {
  const leash = client({ refreshTransport: 'body' })
  await leash.login(ALICE)
  expect(stored().refreshToken).toEqual(expect.any(String))
  await leash.logout()
  expect(stored().refreshToken).toBeUndefined()
  expect(stored().loggedOut).toBe(true)
})

test('a failed logout call still ends the session locally', async () => {
  const leash = client()
  await leash.login(ALICE)
  server.use(http.post('/auth/logout', () => HttpResponse.error()))
  await leash.logout()
  expect(leash.store.getState()).toMatchObject({ status: 'loggedOut', accessToken: null, user: null })
  expect(stored()).toEqual({ loggedOut: true })
})

test('logoutEverywhere ends the sessions of other devices', async () => {
  const laptop = client({ refreshTransport: 'body', storage: 'memory' })
  const phone = client({ refreshTransport: 'body', storage: 'memory' })
  await laptop.login(ALICE)
  await phone.login(ALICE)
  await laptop.logoutEverywhere()
  expect(laptop.store.getState().status).toBe('loggedOut')
  const error = await rejection(phone.http.get('/api/notes'))
  expect(error).toMatchObject({ code: 'session_revoked' })
  expect(phone.store.getState().status).toBe('expired')
})

test('a reload restores the session from storage', async () => {
  const first = client()
  await first.login(ALICE)
  const token = first.store.getState().accessToken
  first.dispose()
  const second = client()
  expect(second.store.getState()).toMatchObject({ status: 'authenticated', accessToken: token })
  expect((await second.http.get('/api/notes')).status).toBe(200)
})

test('a reload adopts only a well-formed stored session: junk another script wrote is ignored', async () => {
  const first = client()
  await first.login(ALICE)
  const good = JSON.parse(localStorage.getItem(sessionKey())!)
  first.dispose()
  const junk = [
    { ...good, accessExpiresAt: 'soon' },
    { ...good, idleExpiresAt: null },
    { ...good, user: { id: 'u', username: 'x', role: 'root' } },
    { loggedOut: true, accessToken: 42, accessExpiresAt: 1 },
    [1, 2],
  ]
  for (const value of junk) {
    localStorage.setItem(sessionKey(), JSON.stringify(value))
    const reloaded = client()
    expect(reloaded.store.getState()).toMatchObject({ status: 'anonymous', accessToken: null })
    reloaded.dispose()
  }
})
