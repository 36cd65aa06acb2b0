import { expect, test, vi } from 'vitest'
import { ALICE, gate, mockBackend, rejection } from '../test/harness.js'
import type { StorageAdapter } from './storage.js'

// A storage whose every call answers with a promise, as React Native's AsyncStorage, IndexedDB or an encrypted
// store do. `hold()` keeps reads waiting until `release()`: a slow disk at start-up.
const { client, count } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })
const notes = '/api/notes'
const key = 'leash:http://localhost:3000:session'

function asyncStorage() {
  const map = new Map<string, string>()
  let reads: ReturnType<typeof gate> | null = null
  const tick = () => Promise.resolve().then(() => undefined)
  const adapter: StorageAdapter = {
    async getItem(k) {
      await tick()
      await reads?.wait
      return map.get(k) ?? null
    },
    async setItem(k, v) {
      await tick()
      map.set(k, v)
    },
    async removeItem(k) {
      await tick()
      map.delete(k)
    },
  }
  return {
    adapter,
    map,
    stored: () => JSON.parse(map.get(key) ?? 'null'),
    hold: () => {
      reads = gate()
    },
    release: () => {
      reads?.open()
      reads = null
    },
  }
}

test('the whole session flow on an async storage, cross-tab off: login, request, refresh, reload, logout', async () => {
  const disk = asyncStorage()
  const options = { storage: disk.adapter, refreshTransport: 'body' as const }
  const first = client(options)
  expect(first.store.getState().status).toBe('pending')
  await first.ready
  expect(first.store.getState().status).toBe('anonymous')

  await first.login(ALICE) // resolves once the session is written
  expect(disk.stored()).toMatchObject({ accessToken: first.store.getState().accessToken })
  expect(disk.stored().refreshToken).toEqual(expect.any(String))
  expect((await first.http.get(notes)).status).toBe(200)

  await vi.advanceTimersByTimeAsync(301_000)
  expect((await first.fetch(notes)).status).toBe(200) // refreshed first, with the refresh token read back
  expect(count('/auth/refresh')).toBe(1)
  const refreshed = first.store.getState().accessToken
  expect(disk.stored().accessToken).toBe(refreshed)
  first.dispose()

  // reload, with a slow disk: the state says pending and requests wait for the restore
  disk.hold()
  const second = client(options)
  const ready = vi.fn()
  void second.ready.then(ready)
  const viaHttp = second.http.get(notes)
  const viaFetch = second.fetch(notes)
  const token = second.getAccessToken()
  await vi.advanceTimersByTimeAsync(1_000)
  expect(second.store.getState().status).toBe('pending')
  expect(ready).not.toHaveBeenCalled()
  expect(count(notes)).toBe(2) // the two requests of the first page only
  disk.release()
  await second.ready
  expect(second.store.getState()).toMatchObject({ status: 'authenticated', accessToken: refreshed })
  expect((await viaHttp).status).toBe(200)
  expect((await viaFetch).status).toBe(200)
  expect(await token).toBe(refreshed)
  expect(count(notes)).toBe(4)

  // the restored session refreshes with the refresh token it read back
  await vi.advanceTimersByTimeAsync(301_000)
  await second.extend()
  expect(count('/auth/refresh')).toBe(2)
  expect(disk.stored().accessToken).toBe(second.store.getState().accessToken)

  await second.logout()
  await vi.waitFor(() => expect(disk.stored()).toMatchObject({ loggedOut: true }))
  const third = client(options)
  await third.ready
  expect(third.store.getState().status).toBe('loggedOut')
  expect(await rejection(third.http.get(notes))).toMatchObject({ code: 'missing_token' })
})

test('a sign-in made while the restore is pending waits for it, and the late restore does not undo it', async () => {
  const disk = asyncStorage()
  const first = client({ storage: disk.adapter })
  await first.login(ALICE)
  const old = first.store.getState().accessToken
  first.dispose()

  disk.hold()
  const second = client({ storage: disk.adapter })
  const login = second.login(ALICE)
  await vi.advanceTimersByTimeAsync(100)
  expect(count('/auth/login')).toBe(1) // the new sign-in waits for the restore
  disk.release()
  await login
  const now = second.store.getState().accessToken
  expect(now).not.toBe(old)
  expect(second.store.getState().status).toBe('authenticated')
  expect(disk.stored().accessToken).toBe(now)
})

test('an async storage that fails reads as empty: ready resolves, the client is anonymous and works', async () => {
  const failing: StorageAdapter = {
    getItem: () => Promise.reject(new Error('disk gone')),
    setItem: () => Promise.reject(new Error('disk gone')),
    removeItem: () => Promise.reject(new Error('disk gone')),
  }
  const leash = client({ storage: failing })
  await leash.ready
  expect(leash.store.getState().status).toBe('anonymous')
  await leash.login(ALICE)
  expect((await leash.http.get(notes)).status).toBe(200)
})
