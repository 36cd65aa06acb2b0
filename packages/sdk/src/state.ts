import type { LeashError } from './errors.js'
import type { LeashUser } from './tokens.js'

/**
 * Where the session stands; `authenticated`, `refreshing` and `expiring` are the live ones. `pending`: the
 * storage is not read yet (an async adapter restoring), and what a server renders (the hooks' server snapshot).
 */
export type LeashStatus =
  | 'pending'
  | 'anonymous'
  | 'authenticated'
  | 'refreshing'
  | 'expiring'
  | 'loggedOut'
  | 'disabled'
  | 'expired'

/** Why a session ends on its own: the idle timeout or the absolute one. */
export type EndReason = 'idle' | 'absolute'

/** The open session warning: when the session ends and why. */
export interface SessionWarning {
  endsAt: number
  reason: EndReason
}

/** Everything `leash.store.getState()` returns. Times are milliseconds on the client's clock. */
export interface LeashState {
  status: LeashStatus
  user: LeashUser | null
  accessToken: string | null
  accessExpiresAt: number | null
  /** The idle or the absolute end, whichever comes first. */
  sessionExpiresAt: number | null
  warning: SessionWarning | null
  lastError: LeashError | null
}

/**
 * `leash.store`: the state, and a subscription to its changes (as a zustand store offers them, for
 * `useSyncExternalStore`); nothing outside the session writes it.
 */
export interface LeashStore {
  getState(): LeashState
  /** Calls `listener` after every change with the new state and the one before; returns the unsubscribe. */
  subscribe(listener: (state: LeashState, previous: LeashState) => void): () => void
}

/** True while the session can still make authenticated requests. */
export const isLive = (status: LeashStatus): boolean =>
  status === 'authenticated' || status === 'refreshing' || status === 'expiring'

/**
 * The state before the storage is read, and the one the React hooks give a server render and hydration:
 * the session lives in the browser, so the server cannot know it.
 */
export const pending: LeashState = {
  status: 'pending',
  user: null,
  accessToken: null,
  accessExpiresAt: null,
  sessionExpiresAt: null,
  warning: null,
  lastError: null,
}

/**
 * Creates the store; the session (session.ts) is its only writer, through `set`, which replaces the state
 * and tells every listener. (zustand's `createStore` was here: its updater functions, merging and equality
 * check served no caller, for a sixth of the core's bytes.)
 */
export function createLeashStore(): LeashStore & { set(next: LeashState): void } {
  let state = pending
  const listeners = new Set<(state: LeashState, previous: LeashState) => void>()
  return {
    getState: () => state,
    set(next) {
      const previous = state
      state = next
      for (const listener of listeners) listener(next, previous)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
