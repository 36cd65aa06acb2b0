// @vitest-environment node
import { HttpResponse, http } from 'msw'
import { expect, test, vi } from 'vitest'
import { ALICE, mockBackend } from '../test/harness.js'

const { client, server } = mockBackend(undefined, 'http://api.test')

test('the core imports and runs in Node without a window, cross-tab features off', async () => {
  expect(typeof window).toBe('undefined')
  const channel = vi.spyOn(globalThis, 'BroadcastChannel')
  const { createLeashClient } = await import('./index.js')
  const leash = createLeashClient({ baseURL: 'http://api.test', refreshTransport: 'body' }) // crossTab left on
  expect(leash.store.getState().status).toBe('anonymous')
  await leash.login(ALICE)
  expect((await leash.http.get('/api/notes')).status).toBe(200)
  await leash.extend()
  expect(leash.store.getState().status).toBe('authenticated')
  expect(channel).not.toHaveBeenCalled()
  leash.dispose()
  expect(vi.getTimerCount()).toBe(0)
})

test('in Node, relative URLs resolve against baseURL and another origin gets no token', async () => {
  const seen: (string | null)[] = []
  server.use(
    http.get('http://evil.test/*', ({ request }) => {
      seen.push(request.headers.get('authorization'))
      return HttpResponse.json({ ok: true, user_enabled: false })
    }),
  )
  const leash = client({ baseURL: 'http://api.test', refreshTransport: 'body' })
  await leash.login(ALICE)
  expect((await leash.http.get('/api/notes')).status).toBe(200)
  await leash.http.get('http://evil.test/x')
  expect(seen).toEqual([null])
  expect(leash.store.getState().status).toBe('authenticated')
})
