// @vitest-environment node
import { expect, test, vi } from 'vitest'
import { ALICE, mockBackend } from '../test/harness.js'

const { client } = mockBackend(undefined, 'http://api.test')

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
  expect(client).toBeTypeOf('function')
})
