import { HttpResponse, http } from 'msw'
import { expect, test, vi } from 'vitest'
import { ALICE, mockBackend } from '../test/harness.js'
import type { ChannelFactory } from './cross-tab.js'

const { client, server, count } = mockBackend()

test('dispose() removes every timer, listener, channel and interceptor', async () => {
  const added = vi.spyOn(window, 'addEventListener')
  const removed = vi.spyOn(window, 'removeEventListener')
  const docAdded = vi.spyOn(document, 'addEventListener')
  const docRemoved = vi.spyOn(document, 'removeEventListener')
  const close = vi.fn()
  const channel: ChannelFactory = () => ({ post() {}, close })
  const leash = client({ crossTab: true, channel })
  await leash.login(ALICE)
  server.use(
    http.get('/api/echo', ({ request }) => HttpResponse.json({ auth: request.headers.get('authorization') })),
  )
  expect((await leash.http.get('/api/echo')).data.auth).toBe(`Bearer ${leash.store.getState().accessToken}`)
  server.resetHandlers()
  expect(vi.getTimerCount()).toBeGreaterThan(0)
  expect(added.mock.calls.length).toBeGreaterThan(0)
  const listener = vi.fn()
  leash.on('refreshed', listener)
  await vi.advanceTimersByTimeAsync(0) // jsdom's own storage-event timer
  expect(vi.getTimerCount()).toBe(3) // refresh, warning, end
  leash.dispose()
  expect(vi.getTimerCount()).toBe(0)
  expect(close).toHaveBeenCalledTimes(1)
  const key = (c: unknown[]) => `${c[0]}|${c[1] === undefined ? '' : String(c[1]).length}`
  expect(removed.mock.calls.map(key).sort()).toEqual(added.mock.calls.map(key).sort())
  for (const [type, fn] of added.mock.calls)
    expect(removed.mock.calls.some(([t, f]) => t === type && f === fn)).toBe(true)
  expect(docAdded).toHaveBeenCalledWith('visibilitychange', expect.any(Function))
  expect(docRemoved.mock.calls).toEqual(docAdded.mock.calls)
  // The interceptors are gone: the instance still works, but adds no token and refreshes nothing.
  const sent: Array<string | null> = []
  server.use(
    http.get('/api/echo', ({ request }) => {
      sent.push(request.headers.get('authorization'))
      return HttpResponse.json({ ok: true })
    }),
  )
  await vi.advanceTimersByTimeAsync(301_000)
  expect((await leash.http.get('/api/echo')).status).toBe(200)
  expect(sent).toEqual([null])
  expect(count('/auth/refresh')).toBe(0)
  await vi.advanceTimersByTimeAsync(3_600_000)
  expect(listener).not.toHaveBeenCalled()
})
