/** The Web Storage subset Leash needs; pass your own to keep tokens elsewhere. */
export interface StorageAdapter {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** Where the session is kept: a Web Storage area, memory only, or your own adapter. */
export type StorageOption = 'local' | 'session' | 'memory' | StorageAdapter

/** Every key Leash writes starts with this. */
export const PREFIX = 'leash:'

/** A storage that lives and dies with the page (and the default where Web Storage is missing, as in Node). */
export function memoryStorage(): StorageAdapter {
  const map = new Map<string, string>()
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  }
}

/** `localStorage` or `sessionStorage` if this environment has it (and lets us touch it). */
export const webStorage = (name: 'localStorage' | 'sessionStorage'): Storage | undefined => {
  try {
    return globalThis[name] ?? undefined
  } catch {
    return undefined // a sandboxed iframe throws on access
  }
}

/** Resolves the `storage` option; falls back to memory when the requested area is unavailable. */
export function resolveStorage(option: StorageOption = 'local'): StorageAdapter {
  if (typeof option === 'object') return option
  if (option === 'memory') return memoryStorage()
  return webStorage(option === 'local' ? 'localStorage' : 'sessionStorage') ?? memoryStorage()
}

/** One JSON value in storage. */
export interface StoredValue<T> {
  get(): T | null
  set(value: T | null): void
}

/** JSON read/write of one `leash:` key that never throws (quota, privacy mode, corrupt data). */
export function storedValue<T>(storage: StorageAdapter, name: string): StoredValue<T> {
  const key = PREFIX + name
  return {
    get(): T | null {
      try {
        return JSON.parse(storage.getItem(key) ?? 'null') as T | null
      } catch {
        return null
      }
    },
    set(value: T | null): void {
      try {
        if (value == null) storage.removeItem(key)
        else storage.setItem(key, JSON.stringify(value))
      } catch {
        // storage full or blocked: the in-memory state still holds the session
      }
    },
  }
}

/** Clears storage after a disable: `'all'` empties local and session storage, `'leash'` only our keys. */
export function clearStorage(
  storage: StorageAdapter,
  mode: 'all' | 'leash' | ((storage: StorageAdapter) => void),
  keys: string[],
): void {
  if (typeof mode === 'function') {
    mode(storage)
    return
  }
  for (const k of keys) storedValue(storage, k).set(null)
  if (mode === 'all')
    for (const area of [webStorage('localStorage'), webStorage('sessionStorage')]) area?.clear()
}
