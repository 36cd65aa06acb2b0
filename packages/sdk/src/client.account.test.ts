import { HttpResponse, http } from 'msw'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, memoryLock, mockBackend, rejection, sessionKey, settle } from '../test/harness.js'
import type { LeashClient } from './client.js'

const { client, count, backend, server } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })
const notes = '/api/notes'
const BOB = { username: 'bob', password: 'bob-password' }
const stored = () => JSON.parse(localStorage.getItem(sessionKey()) ?? 'null')

/** Asks the API with `token`, as another client would. */
const statusWith = async (token: string | null) =>
  (await fetch(`${location.origin}${notes}`, { headers: { Authorization: `Bearer ${token}` } })).status

describe('register', () => {
  test('the reference server answers 201 { user }: the user is returned, nobody is signed in', async () => {
    const leash = client()
    const user = await leash.register(BOB)
    expect(user).toMatchObject({ username: 'bob', role: 'user', id: expect.any(String) })
    expect(leash.store.getState()).toMatchObject({ status: 'anonymous', user: null, accessToken: null })
    expect(stored()).toBeNull()
    expect(await leash.login(BOB)).toEqual(user)
    expect((await leash.http.get(notes)).status).toBe(200)
  })

  test('a taken name or a short password is refused with its code and changes nothing', async () => {
    const leash = client()
    expect(
      await rejection(leash.register({ username: 'alice', password: 'another-password' })),
    ).toMatchObject({
      code: 'username_taken',
      status: 409,
    })
    expect(await rejection(leash.register({ username: 'carol', password: 'short' }))).toMatchObject({
      code: 'invalid_request',
      status: 400,
    })
    expect(leash.store.getState().status).toBe('anonymous')
  })

  test('a server that answers with tokens signs the user in, here and in the other tabs', async () => {
    // register, then answer with the login's token response, as a server that signs in on register would
    server.use(
      http.post('/auth/register', async ({ request }) => {
        const app = await backend.app()
        const body = await request.json()
        const init = { method: 'POST', headers: { 'content-type': 'application/json' } }
        const made = await app.request('/auth/register', { ...init, body: JSON.stringify(body) })
        if (made.status !== 201) return made
        return app.request('/auth/login', { ...init, body: JSON.stringify(body) })
      }),
    )
    const leash = client({ crossTab: true, refreshTransport: 'body' })
    const other = client({ crossTab: true, refreshTransport: 'body' })
    const logins = vi.fn()
    leash.on('login', logins)
    expect(await leash.register(BOB)).toMatchObject({ username: 'bob' })
    expect(leash.store.getState()).toMatchObject({ status: 'authenticated', user: { username: 'bob' } })
    expect(logins).toHaveBeenCalledWith({ user: expect.objectContaining({ username: 'bob' }), remote: false })
    expect(stored()).toMatchObject({ accessToken: leash.store.getState().accessToken })
    await vi.waitFor(() => expect(other.store.getState().user?.username).toBe('bob'))
    expect((await leash.http.get(notes)).status).toBe(200)
    await settle(leash.extend()) // the cross-tab lock is a localStorage lease in jsdom: it sleeps
    expect(count('/auth/refresh')).toBe(1)
  })
})

describe('changePassword', () => {
  async function twoTabs(): Promise<[LeashClient, LeashClient]> {
    const lock = memoryLock()
    const a = client({ crossTab: true, lock })
    const b = client({ crossTab: true, lock })
    await a.login(ALICE)
    await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
    return [a, b]
  }

  test('adopts the new session the server returns and hands it to the other tabs', async () => {
    const [a, b] = await twoTabs()
    const old = a.store.getState().accessToken
    const heard = vi.fn()
    b.on('refreshed', heard)
    await settle(a.changePassword({ current: ALICE.password, next: 'a-new-password' }))

    const fresh = a.store.getState().accessToken
    expect(fresh).not.toBe(old)
    expect(a.store.getState().status).toBe('authenticated')
    expect(await statusWith(old)).toBe(401) // every older token died with the change
    expect(await statusWith(fresh)).toBe(200)
    expect(stored()).toMatchObject({ accessToken: fresh })
    await vi.waitFor(() => expect(b.store.getState().accessToken).toBe(fresh))
    expect(heard).toHaveBeenCalledWith(expect.objectContaining({ remote: true }))
    expect((await a.http.get(notes)).status).toBe(200)
    expect((await b.fetch(notes)).status).toBe(200)

    // the new session refreshes (its new refresh cookie), and the passwords are what they should be
    await vi.advanceTimersByTimeAsync(301_000)
    expect((await settle(b.http.get(notes))).status).toBe(200)
    expect(count('/auth/refresh')).toBe(1)
    expect(a.store.getState().status).toBe('authenticated')
    const fresh2 = client()
    expect(await rejection(fresh2.login(ALICE))).toMatchObject({ code: 'invalid_credentials' })
    await fresh2.login({ username: 'alice', password: 'a-new-password' })
  })

  test('with body transport the new refresh token is kept and used', async () => {
    const leash = client({ refreshTransport: 'body' })
    await leash.login(ALICE)
    const oldRefresh = stored().refreshToken
    await leash.changePassword({ current: ALICE.password, next: 'a-new-password' })
    expect(stored().refreshToken).toEqual(expect.any(String))
    expect(stored().refreshToken).not.toBe(oldRefresh)
    await leash.extend()
    expect(leash.store.getState().status).toBe('authenticated')
  })

  test('an expired access token is refreshed first, so the change is made with a valid one', async () => {
    const leash = client({ activity: 'input' })
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(301_000)
    await leash.changePassword({ current: ALICE.password, next: 'a-new-password' })
    expect(count('/auth/refresh')).toBe(1)
    expect(count('/auth/password')).toBe(1)
    expect(await statusWith(leash.store.getState().accessToken)).toBe(200)
  })

  test('a wrong current password or a short new one is refused; the session stays as it was', async () => {
    const leash = client()
    const events = vi.fn()
    for (const e of ['refreshed', 'refreshFailed', 'expired', 'loggedOut'] as const) leash.on(e, events)
    await leash.login(ALICE)
    const before = leash.store.getState()
    expect(
      await rejection(leash.changePassword({ current: 'wrong-password', next: 'a-new-password' })),
    ).toMatchObject({
      code: 'invalid_credentials',
    })
    expect(await rejection(leash.changePassword({ current: ALICE.password, next: 'short' }))).toMatchObject({
      code: 'invalid_request',
    })
    expect(leash.store.getState()).toMatchObject({
      status: 'authenticated',
      accessToken: before.accessToken,
      lastError: null,
    })
    expect(events).not.toHaveBeenCalled()
    expect((await leash.http.get(notes)).status).toBe(200)
  })

  test('without a session it rejects no_session and sends nothing', async () => {
    const leash = client()
    expect(await rejection(leash.changePassword({ current: 'x', next: 'a-new-password' }))).toMatchObject({
      code: 'no_session',
    })
    expect(count('/auth/password')).toBe(0)
  })

  test('requests in flight on the old token are retried with the new one', async () => {
    const leash = client()
    await leash.login(ALICE)
    const old = leash.store.getState().accessToken
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    server.use(
      http.get('/api/slow', async ({ request }) => {
        const auth = request.headers.get('authorization')
        await held
        return statusWith(auth?.slice(7) ?? null).then((s) =>
          s === 200
            ? HttpResponse.json({ ok: true })
            : HttpResponse.json({ error: { code: 'invalid_token', message: '-' } }, { status: 401 }),
        )
      }),
    )
    const slow = leash.http.get('/api/slow')
    await vi.advanceTimersByTimeAsync(0)
    await leash.changePassword({ current: ALICE.password, next: 'a-new-password' })
    expect(leash.store.getState().accessToken).not.toBe(old)
    release()
    expect((await slow).status).toBe(200)
    expect(count('/auth/refresh')).toBe(0)
  })
})
