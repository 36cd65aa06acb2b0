import { createStore } from 'zustand/vanilla'
import type { LeashError } from './errors.js'
import type { LeashUser, SessionRecord } from './tokens.js'

/** Where the session stands; `authenticated`, `refreshing` and `expiring` are the live ones. */
export type LeashStatus =
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

/** The end of a record's session, and which timeout sets it. */
export const sessionEnd = (r: SessionRecord): SessionWarning => ({
  endsAt: Math.min(r.idleExpiresAt, r.absoluteExpiresAt),
  reason: r.absoluteExpiresAt < r.idleExpiresAt ? 'absolute' : 'idle',
})

/** When the access token and the session end, as the `refreshed` event reports them. */
export const expires = (r: SessionRecord) => ({
  accessExpiresAt: r.accessExpiresAt,
  sessionExpiresAt: sessionEnd(r).endsAt,
})

const empty: LeashState = {
  status: 'anonymous',
  user: null,
  accessToken: null,
  accessExpiresAt: null,
  sessionExpiresAt: null,
  warning: null,
  lastError: null,
}

/** Creates the store; the named transitions below are the only writers. */
export const createLeashStore = () => createStore<LeashState>()(() => empty)

/** A live session from a record (login, refresh, restore, another tab). */
export const signedIn = (store: LeashStore, r: SessionRecord): void =>
  store.setState({
    status: 'authenticated',
    user: r.user,
    accessToken: r.accessToken,
    accessExpiresAt: r.accessExpiresAt,
    sessionExpiresAt: sessionEnd(r).endsAt,
    warning: null,
    lastError: null,
  })

/** A refresh is on its way; the current token stays usable. */
export const refreshing = (store: LeashStore): void => store.setState({ status: 'refreshing' })

/** The warning opens: the session is about to end. */
export const expiring = (store: LeashStore, warning: SessionWarning): void =>
  store.setState({ status: 'expiring', warning })

/** A refresh failed but the session lives on (network trouble): back to the status before it. */
export const refreshFailed = (store: LeashStore, error: LeashError): void =>
  store.setState((s) => ({ status: s.warning ? 'expiring' : 'authenticated', lastError: error }))

/** The session is over. `logout` keeps the 1-second token it got back from the server. */
export const ended = (
  store: LeashStore,
  status: 'anonymous' | 'loggedOut' | 'disabled' | 'expired',
  error: LeashError | null,
  token?: { accessToken: string; accessExpiresAt: number },
): void => store.setState({ ...empty, status, lastError: error, ...token })
