import type { AuthRequest } from './auth-api.js'
import type { LeashMessage, Lock } from './cross-tab.js'
import type { LeashError } from './errors.js'
import type { createEmitter, LeashEvents } from './events.js'
import type { RefreshTransport } from './refresh-transport.js'
import type { LeashStore, SessionWarning } from './state.js'
import type { StoredValue } from './storage.js'
import type { LenientTokenResponse, StoredSession } from './tokens.js'

/**
 * What a tab keeps in storage: the live session, the fact of a logout with its 1-second token, or of a disable
 * (no token, no user: kept after storage is cleared, so a reload still knows why the session ended).
 */
export type Persisted =
  | StoredSession
  | { loggedOut: true; accessToken?: string; accessExpiresAt?: number }
  | { disabled: true }

/** A token that outlives its session: logout's 1-second token. */
export type Farewell = { accessToken: string; accessExpiresAt: number }

/** How a session ended (`anonymous`: none yet; `pending`: storage not read yet). */
export type EndedStatus = 'pending' | 'anonymous' | 'loggedOut' | 'disabled' | 'expired'

/** An event of `leash.on` with its payload. */
export type Emission = { [E in keyof LeashEvents]: [E, LeashEvents[E]] }[keyof LeashEvents]

/**
 * One change, as `apply` makes it: what this tab holds next, and what is saved, told and emitted with it.
 * Nothing else writes the state, the store, the storage key or the channel.
 */
export interface Change {
  /** The session this tab takes; `login`: a new one, so work begun for the old one stops. */
  record?: StoredSession
  login?: boolean
  /**
   * Or: how the session this tab held ended, with logout's 1-second token if it came. `disabled` with `save`
   * clears storage per `clearOnDisable` first (a restored disable clears nothing).
   */
  end?: EndedStatus
  farewell?: Farewell
  /** The error kept as `lastError` (with `end`, why; alone, a failed refresh that may be retried). */
  error?: LeashError
  /** The warning that opens. */
  warning?: SessionWarning
  /**
   * Save what this tab holds next: the session, a logout (with its 1-second token), a disable's marker, or
   * nothing (expired); without it storage is left alone.
   */
  save?: boolean
  /**
   * Tell the other tabs what this tab holds next (a session, a logout, a disable). A change that only tells
   * (and emits) leaves the state as it is and publishes nothing.
   */
  tell?: boolean
  /** The events, in order, once the save is done. */
  emit?: Emission[]
}

/** What the session needs from the client that wires it. */
export interface SessionDeps {
  store: LeashStore
  saved: StoredValue<Persisted>
  clock: () => number
  lock: Lock
  request: AuthRequest
  transport: RefreshTransport
  emit: ReturnType<typeof createEmitter>['emit']
  /** Tells the other tabs (a no-op without cross-tab). */
  post(message: LeashMessage): void
  /** The last moment the user was active. */
  active(): number
  refreshMargin: number
  warnBefore: number
  /** A disable clears storage as configured. */
  clear(): void
  /** The debug log (a no-op unless `debug`); never given a token. */
  log(...what: unknown[]): void
}

/** How to get a new session for the current one's access token: a password change. */
export type Swap = (accessToken: string) => Promise<LenientTokenResponse>
