import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { webLock } from './cross-tab.js'
import { storageChannel, storageLock } from './fallbacks.js'
import { memoryStorage } from './storage.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  localStorage.clear()
})

test('the storage lock lets one holder in at a time', async () => {
  const storage = memoryStorage()
  const lock = storageLock(storage, Date.now)
  let inside = 0
  let most = 0
  const work = () =>
    lock('refresh', async () => {
      inside++
      most = Math.max(most, inside)
      await new Promise((r) => setTimeout(r, 200))
      inside--
      return 'done'
    })
  const all = Promise.all([work(), work(), work()])
  await vi.advanceTimersByTimeAsync(2_000)
  expect(await all).toEqual(['done', 'done', 'done'])
  expect(most).toBe(1)
  expect(storage.getItem('leash:lock:refresh')).toBeNull()
})

test("the storage lock takes over a dead holder's lease once it runs out", async () => {
  const storage = memoryStorage()
  storage.setItem('leash:lock:refresh', `ghost ${Date.now() + 1_000}`)
  const fn = vi.fn(async () => 1)
  const held = storageLock(storage, Date.now)('refresh', fn)
  await vi.advanceTimersByTimeAsync(900)
  expect(fn).not.toHaveBeenCalled()
  await vi.advanceTimersByTimeAsync(300)
  expect(await held).toBe(1)
})

test('the storage channel sends through a leash: key and hears storage events of other tabs', () => {
  const heard: unknown[] = []
  const open = storageChannel(localStorage, window)
  const channel = open((m) => heard.push(m), 'leash')
  const set = vi.spyOn(Storage.prototype, 'setItem')
  channel.post({ type: 'disabled' })
  expect(set).toHaveBeenCalledWith('leash:message', expect.stringContaining('"disabled"'))
  expect(localStorage.getItem('leash:message')).toBeNull()
  const newValue = JSON.stringify({ m: { type: 'loggedOut' }, n: 1 })
  window.dispatchEvent(new StorageEvent('storage', { key: 'leash:message', newValue }))
  expect(heard).toEqual([{ type: 'loggedOut' }])
  channel.close()
  window.dispatchEvent(new StorageEvent('storage', { key: 'leash:message', newValue }))
  expect(heard).toHaveLength(1)
})

test('the storage channel drops junk under its key without throwing', () => {
  let listener!: (e: Partial<StorageEvent>) => void
  const target = {
    addEventListener: (_type: string, l: () => void) => {
      listener = l as typeof listener
    },
    removeEventListener() {},
  }
  const heard: unknown[] = []
  storageChannel(localStorage, target)((m) => heard.push(m), 'leash')
  for (const newValue of ['{oops', 'null', '42', '']) {
    expect(() => listener({ key: 'leash:message', newValue }), newValue).not.toThrow()
  }
  listener({ key: 'leash:message', newValue: JSON.stringify({ m: { type: 'disabled' }, n: 1 }) })
  expect(heard.at(-1)).toEqual({ type: 'disabled' })
})

test('webLock tells the holder whether it had to wait for another', async () => {
  // A LockManager of one exclusive lock per name, as the browser's behaves.
  const held = new Map<string, Promise<void>>()
  const locks = {
    request(name: string, options: { ifAvailable?: boolean }, fn: (lock: object | null) => Promise<unknown>) {
      const previous = held.get(name)
      if (previous && options.ifAvailable) return fn(null)
      const run = (previous ?? Promise.resolve()).then(() => fn({ name }))
      const done = run.then(
        () => {},
        () => {},
      )
      held.set(name, done)
      return run
    },
  } as unknown as LockManager
  const lock = webLock(locks)
  const order: string[] = []
  let release!: () => void
  const first = lock('l', async (waited) => {
    order.push(`first waited=${waited}`)
    await new Promise<void>((r) => {
      release = r
    })
  })
  const second = lock('l', async (waited) => {
    order.push(`second waited=${waited}`)
  })
  await Promise.resolve()
  release()
  await Promise.all([first, second])
  expect(order).toEqual(['first waited=false', 'second waited=true'])
})
