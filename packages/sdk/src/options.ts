import type { AxiosInstance } from 'axios'
import type { ActivityMode, EventSource } from './activity.js'
import type { ChannelFactory, Lock } from './cross-tab.js'
import type { StorageAdapter, StorageOption } from './storage.js'

/** Options of `createLeashClient`; every one has a default. */
export interface LeashOptions {
  /** Where `/auth/*` and the app's API live (default `'/'`). */
  baseURL?: string
  /** Where `/auth/*` lives, when not at `baseURL`. */
  authBaseURL?: string
  /**
   * Origins besides the API's and the auth origin that get the access token (`'https://files.example.com'`);
   * requests anywhere else go out untouched. Each entry must be a bare origin, or creation throws a TypeError.
   */
  allowedOrigins?: readonly string[]
  /** Attach to an existing instance instead of creating one. */
  axios?: AxiosInstance
  /**
   * Where the session is kept (default `'local'`); keys are `leash:<API origin>:…`. `'local'` and `'session'`
   * are the page's: without a window (a server) they are memory. An adapter may be async (`leash.ready`).
   */
  storage?: StorageOption
  /** How the refresh token travels (default `'cookie'`: HttpOnly, never visible to scripts). */
  refreshTransport?: 'cookie' | 'body'
  /** Ms before access-token expiry to refresh, when the user has been active (default 60 000). */
  refreshMargin?: number
  /** Ms before the session ends to open the warning (default 60 000). */
  warnBefore?: number
  /** What counts as activity (default `'both'`). */
  activity?: ActivityMode
  /** What a disable clears (default `'all'`: localStorage and sessionStorage; `'leash'` without a window). */
  clearOnDisable?: 'all' | 'leash' | ((storage: StorageAdapter) => void)
  /** Coordinate tabs: one refresh at a time, events everywhere (default true; off without a window). */
  crossTab?: boolean
  /** The clock deadlines are kept on (default `Date.now`). */
  clock?: () => number
  /**
   * Source of input, focus and `storage` events; its `document` gives `visibilitychange`, its `location`
   * resolves relative URLs (default `window`).
   */
  window?: (EventSource & { document?: EventSource; location?: { href: string } }) | undefined
  /** Cross-tab mutex (default Web Locks, else a localStorage lease). */
  lock?: Lock
  /** Cross-tab messages (default BroadcastChannel, else `storage` events), named `leash:<API origin>`. */
  channel?: ChannelFactory
  /** What `leash.fetch` sends with (default the global `fetch`, looked up at each call). */
  fetch?: typeof fetch
  /** Log each decision (refresh, lock, warning, tabs, restore) to `logger`; never a token (default false). */
  debug?: boolean
  /** Where `debug` logs go (default `console.debug`). */
  logger?: (...what: unknown[]) => void
}
