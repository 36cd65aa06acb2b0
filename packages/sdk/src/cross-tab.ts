import type { StoredSession } from './tokens.js'

/** What one tab tells the others. */
export type LeashMessage =
  | { type: 'session'; record: StoredSession; login?: boolean }
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

/**
 * Runs `fn` while holding the named lock across tabs; `signal` gives up waiting. `fn` learns whether it had
 * to wait for another holder (a lock that cannot tell passes false).
 */
export type Lock = <T>(name: string, fn: (waited: boolean) => Promise<T>, signal?: AbortSignal) => Promise<T>

type Fields = { [key: string]: unknown }
// every number in a message is a deadline: NaN or Infinity would stop a timer from ever firing
const is = (type: 'string' | 'number' | 'boolean', ...values: unknown[]) =>
  values.every((v) => typeof v === type && (type !== 'number' || Number.isFinite(v)))
const optional = (type: 'string' | 'boolean', value: unknown) => value === undefined || is(type, value)

/**
 * Whether a message from another tab (or anything else that can post on the channel or write the storage
 * key) has the shape the client acts on; anything else is ignored.
 */
export function isLeashMessage(message: unknown): message is LeashMessage {
  // Object(): a primitive's wrapper (or null's and undefined's empty object) has none of the fields read here
  const m: Fields = Object(message)
  const r: Fields = Object(m.record)
  const u: Fields = Object(r.user)
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
        is('string', r.accessToken, u.id, u.username) &&
        (u.role === 'user' || u.role === 'admin') &&
        is('number', r.accessExpiresAt, r.idleExpiresAt, r.absoluteExpiresAt, r.issuedAt)
      )
  }
  return false
}

/** Web Locks: the browser's own cross-tab mutex. Asked first without waiting, to know whether it waited. */
export const webLock =
  (locks: LockManager): Lock =>
  (name, fn, signal) =>
    locks.request(name, { ifAvailable: true }, (free) =>
      free ? fn(false) : locks.request(name, { signal }, () => fn(true)),
    )

/** One tab only: what single-flight already gives, for Node and `crossTab: false`. */
export const localLock: Lock = (_name, fn) => fn(false)

/** BroadcastChannel, under the name the client gives. */
export const broadcastChannel: ChannelFactory = (onMessage, name) => {
  const channel = new BroadcastChannel(name)
  channel.onmessage = (e: MessageEvent<unknown>) => onMessage(e.data)
  return { post: (m) => channel.postMessage(m), close: () => channel.close() }
}

/**
 * Web Locks where the browser has them (every browser since 2022), else none: one refresh per tab. Older
 * browsers get the localStorage lease from `@leash/sdk/fallbacks`.
 */
export const defaultLock = (
  locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks,
): Lock => (locks ? webLock(locks) : localLock)

/** BroadcastChannel where the browser has it, else none (`@leash/sdk/fallbacks` has `storage` events). */
export const defaultChannel = (): ChannelFactory | undefined =>
  typeof BroadcastChannel === 'function' ? broadcastChannel : undefined
