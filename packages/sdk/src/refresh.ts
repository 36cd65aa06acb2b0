import type { Lock } from './cross-tab.js'
import { toLeashError } from './errors.js'
import { RETRIES, retryable, retryDelay } from './refresh-policy.js'
import { sleep } from './schedule.js'
import { type SessionRecord, type TokenResponse, toRecord } from './tokens.js'

/** What a refresh needs from the client. */
export interface RefreshDeps {
  /** `POST /auth/refresh` on the bare auth instance (no interceptors, so no retry loop). */
  post(refreshToken: string | undefined): Promise<TokenResponse>
  /** Called with the name `refresh`; the client scopes it to its API. */
  lock: Lock
  clock: () => number
  /** The session as this tab knows it, and as shared storage holds it now. */
  current(): SessionRecord | null
  stored(): SessionRecord | null
  /** Stores and announces a new record; called while the lock is still held, so a tab that waited sees it. */
  save(record: SessionRecord): void
}

/**
 * How long a tab that waited for the lock gives the holder's news to arrive. Browsers deliver the
 * holder's storage write and broadcast to other tabs asynchronously, on other channels than the lock's
 * release (Chromium: each tab's storage is a cache updated by IPC), so the tab that gets the lock next
 * may not see them yet.
 */
export const SETTLE_MS = 250

/**
 * One refresh, holding the cross-tab lock per attempt. A tab that waited for the lock and finds a newer,
 * unexpired token (another tab refreshed) takes it instead of spending the rotated refresh token again;
 * one that waited and finds nothing yet waits `SETTLE_MS` for the holder's news before refreshing itself.
 * Network failures back off and retry (bounded); 401/403 and other client errors are thrown at once.
 */
export async function refreshSession(deps: RefreshDeps, signal: AbortSignal): Promise<SessionRecord> {
  const before = deps.current()?.accessToken
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.lock(
        'refresh',
        async (waited) => {
          signal.throwIfAborted()
          const newer = () =>
            [deps.stored(), deps.current()].find(
              (r) => r && r.accessToken !== before && r.accessExpiresAt > deps.clock(),
            )
          if (waited && !newer()) await sleep(SETTLE_MS, signal)
          const found = newer()
          if (found) return found
          const now = deps.clock()
          const body = await deps.post(deps.stored()?.refreshToken ?? deps.current()?.refreshToken)
          const record = toRecord(body, now, deps.current())
          signal.throwIfAborted() // logged out or disabled meanwhile: never write these tokens back
          deps.save(record)
          return record
        },
        signal,
      )
    } catch (e) {
      signal.throwIfAborted()
      const error = toLeashError(e)
      if (attempt >= RETRIES || !retryable(error)) throw error
      await sleep(retryDelay(attempt), signal)
    }
  }
}
