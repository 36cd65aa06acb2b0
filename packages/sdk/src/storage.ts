/**
 * The Web Storage subset Leash needs; pass your own to keep tokens elsewhere. Its methods may return promises
 * (React Native AsyncStorage, IndexedDB, an encrypted store): the client then restores before its first
 * request (`leash.ready`).
 */
export interface StorageAdapter {
  getItem(key: string): string | null | Promise<string | null>
  setItem(key: string, value: string): void | Promise<void>
  removeItem(key: string): void | Promise<void>
}

/** A value now, or a promise of it (what an async adapter returns). */
export type MaybePromise<T> = T | Promise<T>

/** `f(value)`, synchronously when `value` is not a promise: a sync adapter keeps a sync client. */
export const chain = <T, R>(value: MaybePromise<T>, f: (v: T) => R): MaybePromise<R> =>
  value instanceof Promise ? value.then(f) : f(value)

/** Where the session is kept: a Web Storage area, memory only, or your own adapter. */
export type StorageOption = 'local' | 'session' | 'memory' | StorageAdapter

/** Every key Leash writes starts with this. */
export const PREFIX = 'leash:'

/** A synchronous storage: Web Storage or memory (the lease and messages of fallbacks.ts need one). */
export type SyncStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

/** A storage that lives and dies with the page (and the default where Web Storage is missing, as in Node). */
export function memoryStorage(): SyncStorage {
  const map = new Map<string, string>()
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  }
}

/** `localStorage` or `sessionStorage` if this environment has it (and lets us touch it). */
export function webStorage(name: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    return globalThis[name]
  } catch {} // a sandboxed iframe throws on access
}

/**
 * Resolves the `storage` option; falls back to memory when the requested area is unavailable. `'local'` and
 * `'session'` are the page's: without one (`page` false: a server) they are memory, never the process's own.
 */
export const resolveStorage = (option: StorageOption = 'local', page = true): StorageAdapter =>
  typeof option === 'object'
    ? option
    : (option !== 'memory' && page && webStorage(`${option}Storage`)) || memoryStorage()

/** One JSON value in storage; with an async adapter, `get` and `set` return promises. */
export interface StoredValue<T> {
  get(): MaybePromise<T | null>
  set(value: T | null): MaybePromise<unknown>
}

/** JSON read/write of one `leash:` key that never throws (quota, privacy mode, corrupt data). */
export function storedValue<T>(storage: StorageAdapter, name: string): StoredValue<T> {
  const key = PREFIX + name
  // storage full, blocked or failing, or corrupt JSON (sync or async): the in-memory state still holds the
  // session, and what cannot be read is nothing
  const safe = <R>(f: () => MaybePromise<R>): MaybePromise<R | null> => {
    try {
      const r = f()
      return r instanceof Promise ? r.catch(() => null) : r
    } catch {
      return null
    }
  }
  return {
    // JSON.parse(null) is null: nothing stored reads as nothing
    get: () => safe(() => chain(storage.getItem(key), (raw) => JSON.parse(raw!) as T | null)),
    set: (value) =>
      safe(() => (value == null ? storage.removeItem(key) : storage.setItem(key, JSON.stringify(value)))),
  }
}

/**
 * Clears storage after a disable: `'all'` empties local and session storage, `'leash'` only our key (the
 * session, which the disable's marker then replaces: nothing to do here).
 */
export function clearStorage(
  storage: StorageAdapter,
  mode: 'all' | 'leash' | ((storage: StorageAdapter) => void),
): void {
  if (typeof mode === 'function') mode(storage)
  else if (mode === 'all')
    for (const area of ['local', 'session'] as const) webStorage(`${area}Storage`)?.clear()
}
