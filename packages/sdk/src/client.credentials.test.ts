// @vitest-environment-options {"url": "http://app.example.test/"}
import axios from 'axios'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, mockBackend, rejection } from '../test/harness.js'

// The refresh cookie against an API on another origin of the page's site (the page is app.example.test,
// the API api.example.test, which lists the page in its CORS origins). The msw form's jar behaves like a
// browser's: the cookie travels only on requests whose credentials mode allows it, which for XHR (axios in
// jsdom) means withCredentials. So these tests fail if the client's auth instance forgets it.

const PAGE = 'http://app.example.test'
const API = 'http://api.example.test'
const { client, count } = mockBackend({ accessTtl: 300, corsOrigins: [PAGE] }, API)

/** The `error.code` of an axios failure. */
const codeOf = (e: unknown) =>
  (e as { response?: { data?: { error?: { code?: string } } } }).response?.data?.error?.code

describe('the refresh cookie across origins', () => {
  test('the page is app.example.test: the API is another origin', () => {
    expect(location.origin).toBe(PAGE)
  })

  test('the real client refreshes over the cookie: on extend(), and silently on token_expired', async () => {
    const leash = client({ baseURL: API })
    await leash.login(ALICE)
    const first = leash.store.getState().accessToken

    await leash.extend()
    expect(count('/auth/refresh')).toBe(1)
    const second = leash.store.getState().accessToken
    expect(second).not.toBe(first)
    expect(leash.store.getState().status).toBe('authenticated')

    // Past the access TTL a request meets token_expired, refreshes (with the rotated cookie) and succeeds.
    await vi.advanceTimersByTimeAsync(301_000)
    const notes = await leash.http.get('/api/notes')
    expect(notes.status).toBe(200)
    expect(count('/auth/refresh')).toBe(2)
    expect(leash.store.getState().accessToken).not.toBe(second)
  })

  test('the same refresh request without withCredentials carries no cookie: 401 invalid_refresh_token', async () => {
    const leash = client({ baseURL: API })
    await leash.login(ALICE)
    const bare = axios.create({ baseURL: API })

    const refused = await rejection(bare.post('/auth/refresh', {}))
    expect((refused as { response?: { status: number } }).response?.status).toBe(401)
    expect(codeOf(refused)).toBe('invalid_refresh_token')
    // The cookie was there all along: with credentials the very same request succeeds.
    const ok = await bare.post('/auth/refresh', {}, { withCredentials: true })
    expect(ok.status).toBe(200)
  })

  test('a login without withCredentials leaves no cookie behind to refresh with', async () => {
    const bare = axios.create({ baseURL: API })
    expect((await bare.post('/auth/login', ALICE)).status).toBe(200)
    const refused = await rejection(bare.post('/auth/refresh', {}, { withCredentials: true }))
    expect(codeOf(refused)).toBe('invalid_refresh_token')
  })
})
