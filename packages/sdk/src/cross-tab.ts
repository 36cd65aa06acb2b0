import type { EventSource } from './activity.js'
import { sleep } from './schedule.js'
import { PREFIX, type StorageAdapter, webStorage } from './storage.js'
import type { SessionRecord } from './tokens.js'

/** What one tab tells the others. */
export type LeashMessage =
  | { type: 'session'; record: SessionRecord; login?: boolean }
  | { type: 'loggedOut'; accessToken?: string; accessExpiresAt?: number }
  | { type: 'disabled' }

/** A broadcast channel between the tabs of one origin; `open` gets the receiver, returns the sender. */
export type ChannelFactory = (onMessage: (message: LeashMessage) => void) => {
  post(message: LeashMessage): void
  close(): void
}

/** Runs `fn` while holding the named lock across tabs; `signal` gives up waiting. */
export type Lock = <T>(name: string, fn: () => Promise<T>, signal?: AbortSignal) => Promise<T>

/** Web Locks: the browser's own cross-tab mutex. */
export const webLock =
  (locks: LockManager): Lock =>
  (name, fn, signal) =>
    locks.request(name, signal ? { signal } : {}, fn)

/** One tab only: what single-flight already gives, for Node and `crossTab: false`. */
export const localLock: Lock = (_name, fn) => fn()

/**
 * Fallback for browsers without Web Locks: a lease in localStorage (`id expiry`), written, then read back
 * after a pause to see who won. A holder that died frees it when the lease runs out.
 */
export const storageLock =
  (storage: StorageAdapter, clock: () => number, lease = 15_000): Lock =>
  async (name, fn, signal) => {
    const key = `${PREFIX}lock:${name}`
    const id = Math.random().toString(36).slice(2)
    const mine = () => storage.getItem(key)?.startsWith(id)
    for (;;) {
      const held = storage.getItem(key)
      if (held && Number(held.split(' ')[1]) > clock()) await sleep(50, signal)
      else {
        storage.setItem(key, `${id} ${clock() + lease}`)
        await sleep(30, signal)
        if (mine()) break
      }
    }
    try {
      return await fn()
    } finally {
      if (mine()) storage.removeItem(key)
    }
  }

/** BroadcastChannel, named `leash`. */
export const broadcastChannel: ChannelFactory = (onMessage) => {
  const channel = new BroadcastChannel('leash')
  channel.onmessage = (e: MessageEvent<LeashMessage>) => onMessage(e.data)
  return { post: (m) => channel.postMessage(m), close: () => channel.close() }
}

/** Fallback: a `storage` event carries the message to the other tabs (never to the writer itself). */
export const storageChannel =
  (storage: StorageAdapter, target: EventSource): ChannelFactory =>
  (onMessage) => {
    const key = `${PREFIX}message`
    const listener = ((e: StorageEvent) => {
      if (e.key === key && e.newValue) onMessage(JSON.parse(e.newValue).m)
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

/** Web Locks where the browser has them, else a localStorage lease, else none. */
export function defaultLock(clock: () => number): Lock {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
  const local = webStorage('localStorage')
  return locks ? webLock(locks) : local ? storageLock(local, clock) : localLock
}

/** BroadcastChannel where the browser has it, else `storage` events, else none. */
export function defaultChannel(win: EventSource): ChannelFactory | undefined {
  const local = webStorage('localStorage')
  return typeof BroadcastChannel === 'function' ? broadcastChannel : local && storageChannel(local, win)
}
