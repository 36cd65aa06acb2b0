import type { LeashError } from './errors.js'
import type { EndReason, SessionWarning } from './state.js'
import type { LeashUser } from './tokens.js'

/** Events of `leash.on`, with their payloads. `remote` marks news from another tab. */
export interface LeashEvents {
  login: { user: LeashUser; remote: boolean }
  refreshed: { accessExpiresAt: number; sessionExpiresAt: number; remote: boolean }
  warning: SessionWarning
  extended: { sessionExpiresAt: number }
  /** `server`: the server ended it (refresh answered 401: revoked, reused, timed out). */
  expired: { reason: EndReason | 'server'; error: LeashError }
  loggedOut: { remote: boolean }
  disabled: { remote: boolean }
  refreshFailed: { error: LeashError }
  /**
   * The server refused a request 401 `reauthentication_required`: the action needs a recent sign-in. The
   * request rejects (or, with `leash.fetch`, resolves with the 401) as before; `retry` sends it again, once,
   * resolving as the original call would have. `@leash/sdk/react`'s `useReauthentication` asks for the
   * password (`leash.reauthenticate`), then calls it.
   */
  reauthenticationRequired: { error: LeashError; retry: () => Promise<unknown> }
}

/** A listener of one event. */
export type LeashListener<E extends keyof LeashEvents> = (payload: LeashEvents[E]) => void

/** The typed emitter behind `leash.on`. */
export function createEmitter() {
  const map = new Map<keyof LeashEvents, Set<LeashListener<never>>>()
  return {
    on<E extends keyof LeashEvents>(event: E, listener: LeashListener<E>): () => void {
      const set = map.get(event) ?? new Set()
      map.set(event, set.add(listener as LeashListener<never>))
      return () => void set.delete(listener as LeashListener<never>)
    },
    /** Calls the event's listeners; `undefined`, so that `!emit(…)` is true where that reads shorter. */
    emit<E extends keyof LeashEvents>(event: E, payload: LeashEvents[E]): undefined {
      for (const l of map.get(event) ?? []) (l as LeashListener<E>)(payload)
    },
    clear: () => map.clear(),
  }
}
