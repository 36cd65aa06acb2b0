import { HttpResponse, http } from 'msw'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, mockBackend, rejection } from '../test/harness.js'
import { HttpFailure } from '../test/transports.js'
import type { LeashClient } from './client.js'

// What leash.fetch does beyond the behaviour it shares with leash.http (those tests run against both
// transports: client.refresh, client.disable, client.cross-tab, client.origins).
const { client, count, server } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })
const notes = '/api/notes'
const json = { 'content-type': 'application/json' }

/** The TanStack Query pattern the README shows: a queryFn on leash.fetch, polling marked as background. */
const notesQuery = (leash: LeashClient, poll = false) => ({
  queryKey: ['notes'],
  queryFn: async ({ signal }: { signal: AbortSignal }) => {
    const res = await leash.fetch('/api/notes', { signal, leash: { background: poll } })
    if (!res.ok) throw new HttpFailure(res.status, await res.json().catch(() => null))
    return (await res.json()) as { notes: { text: string }[] }
  },
})

describe('leash.fetch', () => {
  test('a POST that meets token_expired is refreshed once and sent again with its body', async () => {
    const leash = client({ activity: 'input' }) // requests are not activity: it goes out with the stale token
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(301_000)
    const res = await leash.fetch(notes, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ text: 'sent twice, stored once' }),
    })
    expect(res.status).toBe(201)
    expect(count(notes)).toBe(2)
    expect(count('/auth/refresh')).toBe(1)
    const { notes: stored } = await (await leash.fetch(notes)).json()
    expect(stored.map((n: { text: string }) => n.text)).toEqual(['sent twice, stored once'])
  })

  test('a Request keeps its own headers, gets the token, and is resolved against the page', async () => {
    const leash = client()
    await leash.login(ALICE)
    const heard: Record<string, string | null>[] = []
    server.use(
      http.get('/api/echo', ({ request }) => {
        heard.push({ x: request.headers.get('x-app'), auth: request.headers.get('authorization') })
        return HttpResponse.json({ ok: true })
      }),
    )
    const res = await leash.fetch(new Request(`${location.origin}/api/echo`, { headers: { 'x-app': '1' } }))
    expect(await res.json()).toEqual({ ok: true })
    expect(heard).toEqual([{ x: '1', auth: `Bearer ${leash.store.getState().accessToken}` }])
  })

  test("the server's answers resolve as fetch's do; a body that is not JSON is left whole", async () => {
    const leash = client()
    await leash.login(ALICE)
    server.use(
      http.get(
        '/api/text',
        () => new HttpResponse('plain words', { headers: { 'content-type': 'text/plain' } }),
      ),
      http.get('/api/gone', () =>
        HttpResponse.json({ error: { code: 'not_found', message: '-' } }, { status: 404 }),
      ),
    )
    expect(await (await leash.fetch('/api/text')).text()).toBe('plain words')
    const gone = await leash.fetch('/api/gone')
    expect(gone.status).toBe(404)
    expect(await gone.json()).toMatchObject({ error: { code: 'not_found' } })
    expect(leash.store.getState().status).toBe('authenticated')
  })

  test('it sends through the injected fetch; the refresh never does', async () => {
    const sent: string[] = []
    const leash = client({
      fetch: (input, init) => {
        sent.push(new URL((input as Request).url).pathname)
        return fetch(input, init)
      },
    })
    await leash.login(ALICE)
    await leash.extend()
    await leash.fetch(notes)
    await vi.advanceTimersByTimeAsync(301_000)
    await leash.fetch(notes) // a request after a pause refreshes first, on the auth instance
    expect(count('/auth/refresh')).toBe(2)
    expect(sent).toEqual([notes, notes])
  })

  test('skipAuth: no token, no refresh, and a 401 is only an answer', async () => {
    const leash = client()
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(301_000)
    const res = await leash.fetch(notes, { leash: { skipAuth: true } })
    expect(res.status).toBe(401)
    expect((await res.json()).error.code).toBe('missing_token')
    expect(count('/auth/refresh')).toBe(0)
    expect(leash.store.getState().status).toBe('authenticated')
  })
})

describe('a TanStack Query queryFn on leash.fetch', () => {
  test('refreshes under it after a pause, passes the abort signal, and fails typed when the session ends', async () => {
    const leash = client()
    await leash.login(ALICE)
    const posted = await leash.fetch(notes, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ text: 'hello' }),
    })
    expect(posted.status).toBe(201) // sent on its first try
    await vi.advanceTimersByTimeAsync(301_000)
    const { queryFn } = notesQuery(leash)
    expect((await queryFn({ signal: new AbortController().signal })).notes[0]?.text).toBe('hello')
    expect(count('/auth/refresh')).toBe(1)

    const aborted = new AbortController()
    aborted.abort()
    expect(await rejection(queryFn({ signal: aborted.signal }))).toMatchObject({ name: 'AbortError' })

    await leash.logout()
    expect(await rejection(queryFn({ signal: new AbortController().signal }))).toMatchObject({
      status: 401,
      code: 'missing_token',
    })
  })

  test('a polling queryFn (background) lets an idle session run into its warning and end', async () => {
    const leash = client()
    const ended = vi.fn()
    leash.on('expired', ended)
    await leash.login(ALICE)
    const { queryFn } = notesQuery(leash, true)
    const outcomes: string[] = []
    for (let t = 0; t < 1800; t += 60) {
      await vi.advanceTimersByTimeAsync(60_000)
      const result = await queryFn({ signal: new AbortController().signal }).then(
        () => 'ok',
        (e: { code?: string }) => e.code ?? 'error',
      )
      outcomes.push(result)
    }
    expect(count('/auth/refresh')).toBe(0)
    expect(outcomes.slice(0, 4)).toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(outcomes).toContain('token_expired')
    expect(ended).toHaveBeenCalledWith(expect.objectContaining({ reason: 'idle' }))
  })
})
