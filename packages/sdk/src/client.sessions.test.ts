import { http } from 'msw'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, gate, memoryLock, mockBackend, ROOT, rejection, sessionKey } from '../test/harness.js'
import type { LeashClient } from './client.js'
import type { LeashOptions } from './options.js'

// leash.sessions() and leash.revokeSession(id): the user's signed-in devices, against the reference server
// in msw. A "device" is a client of its own: memory storage and the body transport, so it shares neither
// this page's storage nor its cookie jar; two clients on the page's storage are two tabs of one device.
const { client, count, backend, server } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })
const notes = '/api/notes'
const stored = () => JSON.parse(localStorage.getItem(sessionKey()) ?? 'null')

/** Asks the API with `token`, as another client would. */
const statusWith = async (token: string | null) =>
  (await fetch(`${location.origin}${notes}`, { headers: { Authorization: `Bearer ${token}` } })).status

/** Another device signed in as `who`. */
async function device(who = ALICE, options: LeashOptions = {}): Promise<LeashClient> {
  const c = client({ storage: 'memory', refreshTransport: 'body', ...options })
  await c.login(who)
  return c
}

/** This device's id, as the server lists it. */
const ownId = async (leash: LeashClient) => (await leash.sessions()).find((s) => s.current)!.id

describe('sessions()', () => {
  test("lists the user's live sessions, newest first, this one marked current, with dates and user agents", async () => {
    const phone = await device()
    await vi.advanceTimersByTimeAsync(10_000)
    const laptop = client()
    await laptop.login(ALICE)
    await device(ROOT) // another user's session is never listed

    const list = await laptop.sessions()
    expect(list).toHaveLength(2)
    expect(list.map((s) => s.current)).toEqual([true, false])
    expect(list[1]!.id).toBe(await ownId(phone))
    expect(new Date(list[0]!.created_at).getTime()).toBe(Date.now())
    expect(Date.parse(list[1]!.created_at)).toBe(Date.now() - 10_000)
    expect(list[0]!.last_used_at).toBe(list[0]!.created_at)
    expect(list[0]!.user_agent).toBe(navigator.userAgent) // the page's, as a browser sends it
    expect(laptop.store.getState().status).toBe('authenticated')
  })

  test('an expired access token is refreshed first, so the list is asked with a valid one', async () => {
    const leash = client()
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(301_000)
    const list = await leash.sessions()
    expect(count('/auth/refresh')).toBe(1)
    expect(count('/auth/sessions')).toBe(1) // never sent with the expired token
    // the refresh moved the session's last use
    expect(Date.parse(list[0]!.last_used_at) - Date.parse(list[0]!.created_at)).toBe(301_000)
  })

  test('a 401 the client did not foresee (its clock runs slow) gets one refresh and one retry', async () => {
    const start = Date.now()
    const leash = client({ clock: () => start + (Date.now() - start) / 2, activity: 'input' })
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(301_000) // expired for the server; 150 s old for the client
    expect(await leash.sessions()).toHaveLength(1)
    expect(count('/auth/sessions')).toBe(2)
    expect(count('/auth/refresh')).toBe(1)
    expect(leash.store.getState().status).toBe('authenticated')
  })

  test('a device signed out elsewhere learns it at its sessions call: it ends, rejecting session_revoked', async () => {
    const laptop = await device()
    const phone = await device()
    await laptop.revokeSession(await ownId(phone))
    expect(await rejection(phone.sessions())).toMatchObject({ code: 'session_revoked', status: 401 })
    expect(phone.store.getState()).toMatchObject({ status: 'expired', accessToken: null })
  })

  test('background: not activity, so an idle session is not refreshed for it and runs into its end', async () => {
    const leash = client()
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(200_000)
    expect(await leash.sessions({ background: true })).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(101_000) // the token expired; nobody was active
    expect(count('/auth/refresh')).toBe(0)
    // an expired token is not refreshed for a background call of an idle user, nor sent
    expect(await rejection(leash.sessions({ background: true }))).toMatchObject({ code: 'token_expired' })
    expect(count('/auth/refresh')).toBe(0)
    expect(count('/auth/sessions')).toBe(1)
    await vi.advanceTimersByTimeAsync(1_500_000)
    expect(leash.store.getState().status).toBe('expired')
  })

  test('control: without background the same call is activity, and the session is refreshed when due', async () => {
    const leash = client()
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(200_000)
    expect(await leash.sessions()).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(101_000)
    await vi.waitFor(() => expect(leash.store.getState().status).toBe('authenticated'))
    expect(count('/auth/refresh')).toBe(1)
  })

  test('a disabled user is signed out (user_enabled: false), rejecting user_disabled', async () => {
    const leash = client()
    const disabled = vi.fn()
    leash.on('disabled', disabled)
    await leash.login(ALICE)
    await backend.admin.disable('alice')
    expect(await rejection(leash.sessions())).toMatchObject({ code: 'user_disabled', status: 403 })
    expect(leash.store.getState()).toMatchObject({ status: 'disabled', accessToken: null })
    expect(disabled).toHaveBeenCalledWith({ remote: false })
    expect(stored()).toEqual({ disabled: true }) // no token, no user: why the session ended
  })

  test('without a session it rejects no_session and sends nothing', async () => {
    const leash = client()
    expect(await rejection(leash.sessions())).toMatchObject({ code: 'no_session' })
    expect(await rejection(leash.revokeSession('x'))).toMatchObject({ code: 'no_session' })
    expect(count('/auth/sessions')).toBe(0)
  })
})

describe('revokeSession(id)', () => {
  test("another device: its next request is refused and it signs out there; this one's stays", async () => {
    const laptop = client()
    await laptop.login(ALICE)
    const phone = await device()
    const expired = vi.fn()
    phone.on('expired', expired)
    const phoneId = await ownId(phone)

    expect(await laptop.revokeSession(phoneId)).toMatchObject({ revoked: phoneId, current: false })
    expect(laptop.store.getState().status).toBe('authenticated')
    expect((await laptop.http.get(notes)).status).toBe(200)
    expect((await laptop.sessions()).map((s) => s.current)).toEqual([true])

    expect(await rejection(phone.http.get(notes))).toMatchObject({ code: 'session_revoked' })
    expect(phone.store.getState().status).toBe('expired')
    expect(expired).toHaveBeenCalledWith(expect.objectContaining({ reason: 'server' }))
  })

  test('this device: signed out here and in every tab, as by logout, without the 1-second token', async () => {
    const lock = memoryLock()
    const a = client({ crossTab: true, lock })
    const b = client({ crossTab: true, lock })
    const phone = await device()
    await a.login(ALICE)
    await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
    const token = a.store.getState().accessToken
    const [here, there] = [vi.fn(), vi.fn()]
    a.on('loggedOut', here)
    b.on('loggedOut', there)

    const own = await ownId(a)
    expect(await a.revokeSession(own)).toMatchObject({ revoked: own, current: true })
    expect(a.store.getState()).toMatchObject({ status: 'loggedOut', accessToken: null, user: null })
    expect(here).toHaveBeenCalledWith({ remote: false })
    expect(stored()).toEqual({ loggedOut: true })
    await vi.waitFor(() => expect(b.store.getState().status).toBe('loggedOut'))
    expect(there).toHaveBeenCalledWith({ remote: true })
    expect(b.store.getState().accessToken).toBeNull()
    expect(await statusWith(token)).toBe(401)
    expect(count('/auth/logout')).toBe(0)
    // the other device is untouched and no longer lists this one
    expect((await phone.sessions()).map((s) => s.current)).toEqual([true])
    expect(await rejection(a.getAccessToken())).toMatchObject({ code: 'no_session' })
  })

  test("an unknown id or another user's session: 404 session_not_found, nothing ends", async () => {
    const leash = client()
    await leash.login(ALICE)
    const root = await device(ROOT)
    const rootId = await ownId(root)
    for (const id of [rootId, 'no-such-session', '../logout-all']) {
      expect(await rejection(leash.revokeSession(id))).toMatchObject({
        code: 'session_not_found',
        status: 404,
      })
    }
    expect(leash.store.getState().status).toBe('authenticated')
    expect((await leash.http.get(notes)).status).toBe(200)
    expect((await root.http.get(notes)).status).toBe(200)
    expect(await leash.sessions()).toHaveLength(1)
  })

  test('an id is one path segment: it never reaches another route of the origin with the bearer', async () => {
    const leash = client()
    await leash.login(ALICE)
    const elsewhere = vi.fn()
    server.use(http.delete('/api/account', elsewhere), http.delete('/auth/account', elsewhere))
    for (const id of ['../../api/account', '../account', '..%2F..%2Fapi%2Faccount', '?x=1', '#x']) {
      expect(await rejection(leash.revokeSession(id))).toMatchObject({ status: 404 })
    }
    expect(elsewhere).not.toHaveBeenCalled()
    expect(leash.store.getState().status).toBe('authenticated')
  })

  test('an id already ended: 404 session_not_found, and this session stays', async () => {
    const laptop = await device()
    const phoneId = await ownId(await device())
    await laptop.revokeSession(phoneId)
    expect(await rejection(laptop.revokeSession(phoneId))).toMatchObject({ code: 'session_not_found' })
    expect(laptop.store.getState().status).toBe('authenticated')
  })

  test('a disabled user is signed out, rejecting user_disabled', async () => {
    const laptop = client()
    await laptop.login(ALICE)
    const phoneId = await ownId(await device())
    await backend.admin.disable('alice')
    expect(await rejection(laptop.revokeSession(phoneId))).toMatchObject({ code: 'user_disabled' })
    expect(laptop.store.getState().status).toBe('disabled')
  })

  test('an expired access token is refreshed first', async () => {
    const laptop = client()
    await laptop.login(ALICE)
    const phoneId = await ownId(await device())
    await vi.advanceTimersByTimeAsync(301_000)
    expect(await laptop.revokeSession(phoneId)).toMatchObject({ current: false })
    expect(count('/auth/refresh')).toBe(1)
    expect(laptop.store.getState().status).toBe('authenticated')
  })

  test('a sign-in that replaced the session while the revoke was on the wire is not signed out', async () => {
    const lock = memoryLock()
    const a = client({ crossTab: true, lock })
    const b = client({ crossTab: true, lock })
    await a.login(ALICE)
    await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
    const own = await ownId(a)
    const answer = gate()
    server.use(http.delete('/auth/sessions/:id', () => answer.wait)) // then the real server answers
    const revoking = a.revokeSession(own)
    await b.login(ROOT) // another tab signs in as someone else before the answer comes
    await vi.waitFor(() => expect(a.store.getState().user?.username).toBe('root'))
    answer.open()
    expect(await revoking).toMatchObject({ current: true })
    expect(a.store.getState().status).toBe('authenticated')
    expect(b.store.getState().status).toBe('authenticated')
    expect(stored()).toMatchObject({ user: { username: 'root' } })
  })
})
