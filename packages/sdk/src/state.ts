import { createStore } from 'zustand/vanilla'
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

/** The zustand vanilla store behind `leash.store`. */
export type LeashStore = ReturnType<typeof createLeashStore>

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

/** Creates the store; the session (session.ts) is its only writer. */
export const createLeashStore = () => createStore<LeashState>(() => pending)
