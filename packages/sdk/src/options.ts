import type { AxiosInstance } from 'axios'
import type { ActivityMode, EventSource } from './activity.js'
import type { ChannelFactory, Lock } from './cross-tab.js'
import type { StorageAdapter, StorageOption } from './storage.js'

/**
 * Options of `createLeashClient`; every one has a default. This TSDoc is the one description of them: the
 * options tables of the READMEs and docs/sdk.md are generated from it (`npm run docs:options -w @leash/sdk`),
 * one row per option, the first paragraph as the meaning and `@defaultValue` as the default.
 */
export interface LeashOptions {
  /**
   * Where `/auth/*` and the app's API live; the API's origin (and the auth origin) get the access token.
   * @defaultValue `'/'`
   */
  baseURL?: string
  /**
   * Where `/auth/*` lives, when not at `baseURL`.
   * @defaultValue `baseURL`
   */
  authBaseURL?: string
  /**
   * Further origins that get the access token, each exactly `'https://host[:port]'` (anything else throws a
   * `TypeError` at creation); requests anywhere else go out untouched.
   * @defaultValue `[]`
   */
  allowedOrigins?: readonly string[]
  /**
   * Attach the interceptors to your own instance instead of creating one (its `defaults.baseURL` is then
   * the API).
   * @defaultValue a new instance
   */
  axios?: AxiosInstance
  /**
   * Where the session is kept: `'local' | 'session' | 'memory' | StorageAdapter`
   * (`getItem`/`setItem`/`removeItem`, sync or returning promises: then `leash.ready`); keys are
   * `leash:<API origin>:…`. `'local'` and `'session'` are the page's: without a window (a server) they are
   * memory.
   * @defaultValue `'local'`
   */
  storage?: StorageOption
  /**
   * How the refresh token travels: `'cookie'` (HttpOnly, never visible to scripts) or `'body'` (kept in
   * storage).
   * @defaultValue `'cookie'`
   */
  refreshTransport?: 'cookie' | 'body'
  /**
   * Ms before access-token expiry to refresh, if the user was active after this tab took the token; an upper
   * bound: at most half the token's lifetime as issued (`expires_in`).
   * @defaultValue `60_000`
   */
  refreshMargin?: number
  /**
   * Ms before the session ends (idle or absolute) to open the warning; an upper bound: at most half the idle
   * window and half of what remained of the absolute one when the token was issued.
   * @defaultValue `60_000`
   */
  warnBefore?: number
  /**
   * What counts as activity: `'requests'`, `'input'` or `'both'`.
   * @defaultValue `'both'`
   */
  activity?: ActivityMode
  /**
   * What `user_enabled: false` clears: `'all'` (localStorage and sessionStorage), `'leash'` (its own keys), or
   * `(storage) => void`; Leash's key then keeps only `{ "disabled": true }` (no token, no user), so a reload
   * still shows why the session ended.
   * @defaultValue `'all'` (`'leash'` without a window)
   */
  clearOnDisable?: 'all' | 'leash' | ((storage: StorageAdapter) => void)
  /**
   * Coordinate tabs: one refresh at a time (Web Locks) and events everywhere (BroadcastChannel); off without a
   * window. Browsers older than 2022 lack both: spread `storageFallbacks()` from `@leash/sdk/fallbacks` into
   * the options for a localStorage lease and `storage` events.
   * @defaultValue `true`
   */
  crossTab?: boolean
  /**
   * The clock deadlines are kept on (injectable for tests).
   * @defaultValue `Date.now`
   */
  clock?: () => number
  /**
   * Source of input, focus and `storage` events; its `document` gives `visibilitychange`, its `location`
   * resolves relative URLs. Pass `undefined` for none (a server).
   * @defaultValue the global `window`
   */
  window?: (EventSource & { document?: EventSource; location?: { href: string } }) | undefined
  /**
   * The cross-tab mutex, called per API (`leash:<API origin>:refresh`); `storageFallbacks()` gives a
   * localStorage lease for browsers without Web Locks.
   * @defaultValue Web Locks (where missing, none: each tab refreshes alone)
   */
  lock?: Lock
  /**
   * The cross-tab messages, named `leash:<API origin>`; `storageFallbacks()` gives `storage` events for
   * browsers without BroadcastChannel.
   * @defaultValue BroadcastChannel (where missing, none)
   */
  channel?: ChannelFactory
  /**
   * What `leash.fetch` sends with.
   * @defaultValue the global `fetch`, looked up at each call
   */
  fetch?: typeof fetch
  /**
   * Log each decision (refresh why and when, lock, warning, tabs, restore) to `logger`; never a token.
   * @defaultValue `false`
   */
  debug?: boolean
  /**
   * Where `debug` logs go.
   * @defaultValue `console.debug`
   */
  logger?: (...what: unknown[]) => void
}
