import type { Lock } from './cross-tab.js'
import { toLeashError } from './errors.js'
import { RETRIES, retryable, retryDelay } from './refresh-policy.js'
import { sleep } from './schedule.js'
import type { MaybePromise } from './storage.js'
import { type LenientTokenResponse, type StoredSession, toStoredSession } from './tokens.js'

/** What a refresh needs from the session that runs it, which builds the request and applies the result. */
export interface RefreshDeps {
  /**
   * `POST /auth/refresh` on the bare auth instance (no interceptors, so no retry loop). The session builds it:
   * the refresh token, if the transport sends one, is the newest that `stored()` or `current()` gave.
   */
  post(): Promise<LenientTokenResponse>
  /** Called with the name `refresh`; the client scopes it to its API. */
  lock: Lock
  clock: () => number
  log(...what: unknown[]): void
  /** The session as this tab knows it, and as shared storage holds it now. */
  current(): StoredSession | null
  stored(): MaybePromise<StoredSession | null>
  /**
   * Takes a new session, stores and announces it; awaited while the lock is still held, so a tab that waited
   * sees it (with an async storage too).
   */
  save(session: StoredSession): MaybePromise<void>
}

/**
 * How long a tab that waited for the lock gives the holder's news to arrive. Browsers deliver the
 * holder's storage write and broadcast to other tabs asynchronously, on other channels than the lock's
 * release (Chromium: each tab's storage is a cache updated by IPC), so the tab that gets the lock next
 * may not see them yet.
 */
export const SETTLE_MS = 250

/** Runs `fn` under the refresh lock, saying in the debug log when it had to wait. */
async function locked<T>(
  deps: RefreshDeps,
  fn: (waited: boolean) => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  deps.log('lock wait')
  return deps.lock(
    'refresh',
    (waited) => {
      deps.log('lock held', waited)
      signal.throwIfAborted()
      return fn(waited)
    },
    signal,
  )
}

/** Turns `body` into a record and saves it, unless the session ended meanwhile (never write those back). */
async function keep(deps: RefreshDeps, body: LenientTokenResponse, now: number, signal: AbortSignal) {
  const record = toStoredSession(body, now, deps.current())
  signal.throwIfAborted()
  await deps.save(record)
  return record
}

/**
 * One refresh, holding the cross-tab lock per attempt. A tab that waited for the lock and finds a newer,
 * unexpired token (another tab refreshed) takes it instead of spending the rotated refresh token again;
 * one that waited and finds nothing yet waits `SETTLE_MS` for the holder's news before refreshing itself.
 * Network failures back off and retry (bounded); 401/403 and other client errors are thrown at once.
 */
export async function refreshSession(deps: RefreshDeps, signal: AbortSignal): Promise<StoredSession> {
  const before = deps.current()?.accessToken
  for (let attempt = 0; ; attempt++) {
    try {
      return await locked(
        deps,
        async (waited) => {
          let stored = await deps.stored()
          const newer = () =>
            [stored, deps.current()].find(
              (r) => r && r.accessToken !== before && r.accessExpiresAt > deps.clock(),
            )
          if (waited && !newer()) {
            await sleep(SETTLE_MS, signal)
            stored = await deps.stored()
          }
          const now = deps.clock()
          const found = newer()
          if (found) {
            deps.log('refresh stored')
            return found
          }
          return keep(deps, await deps.post(), now, signal)
        },
        signal,
      )
    } catch (e) {
      signal.throwIfAborted()
      const error = toLeashError(e)
      if (attempt >= RETRIES || !retryable(error)) throw error
      deps.log('retry', retryDelay(attempt), error.code)
      await sleep(retryDelay(attempt), signal)
    }
  }
}

/**
 * Swaps the session for the one `obtain` returns for the current access token (a password change): under
 * the same lock, saved and announced like a refresh, so no tab spends the old refresh token meanwhile.
 */
export const swapSession = (
  deps: RefreshDeps,
  obtain: (accessToken: string) => Promise<LenientTokenResponse>,
  signal: AbortSignal,
): Promise<StoredSession> =>
  locked(
    deps,
    async () => {
      const now = deps.clock()
      return keep(deps, await obtain(deps.current()!.accessToken), now, signal)
    },
    signal,
  )
