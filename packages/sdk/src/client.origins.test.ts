import axios from 'axios'
import { HttpResponse, http } from 'msw'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import { ALICE, mockBackend, rejection } from '../test/harness.js'
import { transports } from '../test/transports.js'
import { createLeashClient } from './client.js'
import { LeashError } from './errors.js'

// The API lives on another origin than the page (jsdom's http://localhost:3000); evil.test and files.test
// record what reached them.
const API = 'http://api.test'
// The API lists the page among its CORS origins, as a cross-origin deployment must.
const { client, server, count } = mockBackend({ corsOrigins: ['http://localhost:3000'] }, API)
const seen: { url: string; authorization: string | null }[] = []
const record = (answer: (url: URL) => Response) =>
  http.all('*', ({ request }) => {
    const url = new URL(request.url)
    if (url.origin === API) return // falls through to the mock backend
    seen.push({ url: request.url, authorization: request.headers.get('authorization') })
    return answer(url)
  })
const ok = () => HttpResponse.json({ ok: true })
const tokenOf = (leash: { store: { getState(): { accessToken: string | null } } }) =>
  `Bearer ${leash.store.getState().accessToken}`

beforeEach(() => {
  seen.length = 0
  server.use(record(ok))
})

describe.each(transports)('the access token goes to the API origin only, through $name', ({ get }) => {
  test('absolute and protocol-relative requests to another origin carry no token', async () => {
    const leash = client({ baseURL: API })
    await leash.login(ALICE)
    expect((await get(leash, '/api/notes')).status).toBe(200)
    await get(leash, 'http://evil.test/a')
    await get(leash, '//evil.test/b')
    await get(leash, `${location.origin}/d`) // the page's origin is not the API's here
    expect(seen.map((s) => s.authorization)).toEqual([null, null, null])
    expect(seen.map((s) => new URL(s.url).host)).toEqual(['evil.test', 'evil.test', 'localhost:3000'])
  })

  test('with a relative baseURL: the page origin and the auth origin get the token, another origin not', async () => {
    const leash = client({ baseURL: '/', authBaseURL: API })
    await leash.login(ALICE)
    await get(leash, 'http://evil.test/steal')
    await get(leash, '/page') // relative: the page's origin, which is the API's
    expect((await get(leash, `${API}/api/notes`)).status).toBe(200)
    expect(seen).toEqual([
      { url: 'http://evil.test/steal', authorization: null },
      { url: `${location.origin}/page`, authorization: tokenOf(leash) },
    ])
  })

  test('on an existing axios instance, its own baseURL is the API', async () => {
    const leash = client({ axios: axios.create({ baseURL: API }) })
    await leash.login(ALICE)
    expect((await get(leash, '/api/notes')).status).toBe(200)
    await get(leash, 'http://evil.test/x')
    expect(seen).toEqual([{ url: 'http://evil.test/x', authorization: null }])
  })

  test('an allowedOrigins origin gets the token; others still do not', async () => {
    const leash = client({ baseURL: API, allowedOrigins: ['http://files.test'] })
    await leash.login(ALICE)
    await get(leash, 'http://files.test/f')
    await get(leash, 'http://evil.test/e')
    expect(seen.map((s) => s.authorization)).toEqual([tokenOf(leash), null])
  })
})

describe.each(transports)('another origin cannot steer the session, through $name', ({ get }) => {
  test('its 401 token_expired starts no refresh and no retry, and an expired token is not refreshed for it', async () => {
    // body transport: the API is another site than the page, whose cookie a browser would not send it
    const leash = client({ baseURL: API, refreshTransport: 'body' })
    await leash.login(ALICE)
    server.use(
      record(() =>
        HttpResponse.json({ error: { code: 'token_expired', message: 'expired' } }, { status: 401 }),
      ),
    )
    const error = await rejection(get(leash, 'http://evil.test/401'))
    expect(error).not.toBeInstanceOf(LeashError)
    expect(seen).toHaveLength(1)
    expect(count('/auth/refresh')).toBe(0)

    await vi.advanceTimersByTimeAsync(301_000) // the access token expired: a request of the API's would refresh
    await rejection(get(leash, 'http://evil.test/401'))
    expect(seen).toHaveLength(2)
    expect(count('/auth/refresh')).toBe(0)
    expect((await get(leash, '/api/notes')).status).toBe(200) // the API's own request still refreshes
    expect(count('/auth/refresh')).toBe(1)
  })

  test('its user_enabled: false, on a success or an error body, changes nothing', async () => {
    const leash = client({ baseURL: API })
    const disabled = vi.fn()
    leash.on('disabled', disabled)
    await leash.login(ALICE)
    localStorage.setItem('app:draft', 'keep')
    server.use(
      record(({ pathname }) =>
        pathname === '/error'
          ? HttpResponse.json(
              { error: { code: 'user_disabled', message: 'disabled' }, user_enabled: false },
              { status: 403 },
            )
          : HttpResponse.json({ ok: true, user_enabled: false }),
      ),
    )
    expect((await get(leash, 'http://evil.test/ok')).data).toEqual({ ok: true, user_enabled: false })
    expect(await rejection(get(leash, 'http://evil.test/error'))).not.toBeInstanceOf(LeashError)
    expect(leash.store.getState().status).toBe('authenticated')
    expect(disabled).not.toHaveBeenCalled()
    expect(localStorage.getItem('app:draft')).toBe('keep')
    const kept = Object.keys(localStorage).map((k) => (k.startsWith('leash:') ? localStorage.getItem(k) : ''))
    expect(kept.join()).toContain(leash.store.getState().accessToken)
    expect((await get(leash, '/api/notes')).status).toBe(200)
  })
})

describe('through leash.http only', () => {
  test('a request whose baseURL is overridden to another origin carries no token', async () => {
    const leash = client({ baseURL: API })
    await leash.login(ALICE)
    await leash.http.get('/c', { baseURL: 'http://evil.test' })
    expect(seen).toEqual([{ url: 'http://evil.test/c', authorization: null }])
  })
})

describe('allowedOrigins', () => {
  test('allowedOrigins entries that are not bare origins throw a TypeError at creation', () => {
    const bad: unknown[] = [
      ['http://files.test/'],
      ['http://files.test/v1'],
      ['files.test'],
      ['HTTP://FILES.TEST'],
      ['https://files.test:443'],
      ['*'],
      ['null'],
      [''],
      [42],
      'http://files.test',
    ]
    for (const allowedOrigins of bad) {
      expect(
        () => createLeashClient({ crossTab: false, allowedOrigins } as never),
        String(allowedOrigins),
      ).toThrow(TypeError)
    }
    const fine = createLeashClient({
      crossTab: false,
      allowedOrigins: ['http://files.test', 'https://x.test:8443'],
    })
    fine.dispose()
  })
})
