import type { EventSource } from './activity.js'
import type { ChannelFactory, Lock } from './cross-tab.js'
import { sleep } from './schedule.js'
import { PREFIX, type SyncStorage, webStorage } from './storage.js'

/**
 * For browsers without Web Locks or BroadcastChannel (Safari before 15.4, Firefox before 96, Chrome
 * before 69): a lease in localStorage for the one-refresh-at-a-time lock, and `storage` events for the
 * messages between tabs. Kept out of the core, which every browser since 2022 does without, so it costs
 * only the apps that ask for it.
 * @example createLeashClient({ baseURL: '/', ...storageFallbacks() })
 */
export function storageFallbacks(
  win: EventSource = globalThis as unknown as EventSource,
  clock: () => number = Date.now,
): { lock?: Lock; channel?: ChannelFactory } {
  const local = webStorage('localStorage')
  if (!local) return {}
  const hasLocks = !!(globalThis as { navigator?: { locks?: unknown } }).navigator?.locks
  return {
    ...(!hasLocks && { lock: storageLock(local, clock) }),
    ...(typeof BroadcastChannel !== 'function' && { channel: storageChannel(local, win) }),
  }
}

/**
 * Fallback for browsers without Web Locks: a lease in localStorage (`id expiry`), written, then read back
 * after a pause to see who won. A holder that died frees it when the lease runs out.
 */
export const storageLock =
  (storage: SyncStorage, clock: () => number, lease = 15_000): Lock =>
  async (name, fn, signal) => {
    const key = `${PREFIX}lock:${name}`
    const id = String(Math.random())
    const mine = () => storage.getItem(key)?.startsWith(id)
    let waited = false
    for (;;) {
      const held = storage.getItem(key)
      if (held && Number(held.split(' ')[1]) > clock()) {
        waited = true
        await sleep(50, signal)
      } else {
        storage.setItem(key, `${id} ${clock() + lease}`)
        await sleep(30, signal)
        if (mine()) break
      }
    }
    try {
      return await fn(waited)
    } finally {
      if (mine()) storage.removeItem(key)
    }
  }

/** Fallback: a `storage` event carries the message to the other tabs (never to the writer itself). */
export const storageChannel =
  (storage: SyncStorage, target: EventSource): ChannelFactory =>
  (onMessage, name) => {
    const key = `${name}:message`
    const listener = ((e: StorageEvent) => {
      if (e.key !== key || !e.newValue) return
      let m: unknown
      try {
        m = (JSON.parse(e.newValue) as { m?: unknown } | null)?.m
      } catch {
        return // anything can write this key: junk is dropped, never thrown into the page
      }
      onMessage(m)
    }) as () => void
    target.addEventListener('storage', listener)
    return {
      post(m) {
        storage.setItem(key, JSON.stringify({ m, n: Math.random() }))
        storage.removeItem(key)
      },
      close: () => target.removeEventListener('storage', listener),
    }
  }
