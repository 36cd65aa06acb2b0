import type { AxiosInstance } from 'axios'
import type { LeashEvents, LeashListener } from './events.js'
import type { LeashStore } from './state.js'
import type { LeashUser } from './tokens.js'

/** The client: an axios instance that keeps a session on a leash. */
export interface LeashClient {
  /** The axios instance with Leash's interceptors installed. */
  readonly http: AxiosInstance
  /** zustand vanilla store of `LeashState`: `getState()`, `subscribe()`. */
  readonly store: LeashStore
  /** The clock deadlines are on (for countdowns). */
  readonly clock: () => number
  /** Signs in; rejects with `LeashError` (`invalid_credentials`, `user_disabled`, `rate_limited`, …). */
  login(credentials: { username: string; password: string }): Promise<LeashUser>
  /** Ends the session here and in every tab; a failed server call still ends it locally. */
  logout(): Promise<void>
  /** Ends every session of the user on every device; rejects (after ending locally) if the server call failed. */
  logoutEverywhere(): Promise<void>
  /** "Stay signed in": refreshes now and closes the warning. */
  extend(): Promise<void>
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof LeashEvents>(event: E, listener: LeashListener<E>): () => void
  /** Removes every timer, listener, channel and interceptor. */
  dispose(): void
}
