import type { EventSource } from './activity.js'
import { sleep } from './schedule.js'
import { PREFIX, type SyncStorage, webStorage } from './storage.js'
import type { SessionRecord } from './tokens.js'

/** What one tab tells the others. */
export type LeashMessage =
  | { type: 'session'; record: SessionRecord; login?: boolean }
  | { type: 'loggedOut'; accessToken?: string; accessExpiresAt?: number }
  | { type: 'disabled' }

/**
 * A broadcast channel between the tabs of one origin, named per API (`leash:<API origin>`); it gets the
 * receiver and returns the sender. What arrives is unchecked: the client passes it through `isLeashMessage`.
 */
export type ChannelFactory = (
  onMessage: (message: unknown) => void,
  name: string,
) => {
  post(message: LeashMessage): void
  close(): void
}

/** Runs `fn` while holding the named lock across tabs; `signal` gives up waiting. */
export type Lock = <T>(name: string, fn: () => Promise<T>, signal?: AbortSignal) => Promise<T>

type Fields = { [key: string]: unknown }
const fields = (v: unknown): Fields => (typeof v === 'object' && v !== null ? (v as Fields) : {})
// every number in a message is a deadline: NaN or Infinity would stop a timer from ever firing
const is = (type: 'string' | 'number' | 'boolean', ...values: unknown[]) =>
  values.every((v) => typeof v === type && (type !== 'number' || Number.isFinite(v)))
const optional = (type: 'string' | 'boolean', value: unknown) => value === undefined || is(type, value)

/**
 * Whether a message from another tab (or anything else that can post on the channel or write the storage
 * key) has the shape the client acts on; anything else is ignored.
 */
export function isLeashMessage(message: unknown): message is LeashMessage {
  const m = fields(message)
  const r = fields(m.record)
  const u = fields(r.user)
  switch (m.type) {
    case 'disabled':
      return true
    case 'loggedOut':
      return m.accessToken === undefined
        ? m.accessExpiresAt === undefined
        : is('string', m.accessToken) && is('number', m.accessExpiresAt)
    case 'session':
      return (
        optional('boolean', m.login) &&
        optional('string', r.refreshToken) &&
        is('string', r.accessToken, u.id, u.username, u.role) &&
        is('number', r.accessExpiresAt, r.idleExpiresAt, r.absoluteExpiresAt, r.issuedAt)
      )
  }
  return false
}

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
  (storage: SyncStorage, clock: () => number, lease = 15_000): Lock =>
  async (name, fn, signal) => {
    const key = `${PREFIX}lock:${name}`
    const id = String(Math.random())
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

/** BroadcastChannel, under the name the client gives. */
export const broadcastChannel: ChannelFactory = (onMessage, name) => {
  const channel = new BroadcastChannel(name)
  channel.onmessage = (e: MessageEvent<unknown>) => onMessage(e.data)
  return { post: (m) => channel.postMessage(m), close: () => channel.close() }
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
