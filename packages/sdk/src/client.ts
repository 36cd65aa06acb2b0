import axios, { type AxiosInstance } from 'axios'
import { trackActivity } from './activity.js'
import { createAuthPost } from './auth-api.js'
import { defaultChannel, defaultLock, isLeashMessage, type LeashMessage, localLock } from './cross-tab.js'
import { LeashError } from './errors.js'
import { createEmitter, type LeashEvents, type LeashListener } from './events.js'
import { installInterceptors } from './interceptors.js'
import { logout } from './logout.js'
import type { LeashOptions } from './options.js'
import { createOriginPolicy } from './origins.js'
import { createSession, type Persisted } from './session.js'
import { createLeashStore, isLive, type LeashStore } from './state.js'
import { clearStorage, PREFIX, resolveStorage, storedValue } from './storage.js'
import { type LeashUser, type TokenResponse, toRecord } from './tokens.js'

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

/**
 * Creates the client: wires the environment (storage, window, lock, channel, axios) to the session.
 * Nothing here touches `window` unless it exists, so it imports and runs in Node.
 * @example const leash = createLeashClient({ baseURL: '/' }); await leash.login({ username, password })
 */
export function createLeashClient(options: LeashOptions = {}): LeashClient {
  const { refreshTransport = 'cookie', clearOnDisable = 'all', clock = Date.now } = options
  const win =
    'window' in options ? options.window : (globalThis as { window?: LeashOptions['window'] }).window
  const crossTab = options.crossTab !== false && !!win
  const http = options.axios ?? axios.create({ baseURL: options.baseURL ?? '/' })
  const auth = axios.create({
    baseURL: options.authBaseURL ?? options.baseURL ?? http.defaults.baseURL ?? '/',
    withCredentials: refreshTransport === 'cookie',
    adapter: http.defaults.adapter,
  })
  // the API is where leash.http sends relative requests; its origin scopes keys, channel and lock
  const origins = createOriginPolicy({
    baseURL: http.defaults.baseURL ?? '/',
    authBaseURL: auth.defaults.baseURL,
    allowedOrigins: options.allowedOrigins,
    location: win?.location,
  })
  const api = origins.origin
  const storage = resolveStorage(options.storage)
  // a session under the old shared key cannot be told apart from another API's: dropped, never adopted
  storedValue(storage, 'session').set(null)
  const saved = storedValue<Persisted>(storage, `${api}:session`)
  const anyLock = crossTab ? (options.lock ?? defaultLock(clock)) : localLock
  const store = createLeashStore()
  const { on, emit, clear } = createEmitter()
  const authPost = createAuthPost(auth, () => session.disable(false))
  const activity = trackActivity(options.activity ?? 'both', clock, win, () => {
    session.onActivity()?.catch(() => {})
  })
  const channel = crossTab
    ? // a tab, or anything else on this page origin, may post anything: only well-formed messages count
      (options.channel ?? defaultChannel(win!))?.(
        (m) => isLeashMessage(m) && session.receive(m),
        PREFIX + api,
      )
    : undefined
  const post: (m: LeashMessage) => void = channel ? (m) => channel.post(m) : () => {}
  const session = createSession({
    store,
    saved,
    clock,
    lock: (name, fn, signal) => anyLock(`${PREFIX}${api}:${name}`, fn, signal),
    authPost,
    emit,
    post,
    lastActive: activity.last,
    refreshTransport,
    refreshMargin: options.refreshMargin ?? 60_000,
    warnBefore: options.warnBefore ?? 60_000,
    clearStorage: () => clearStorage(storage, clearOnDisable, [`${api}:session`]),
  })
  const recheck = session.recheck
  win?.addEventListener('focus', recheck)
  win?.document?.addEventListener('visibilitychange', recheck)

  const eject = installInterceptors(http, {
    async token(background) {
      if (!background) activity.request()
      await session.onActivity()
      const { status, accessToken } = store.getState()
      return isLive(status) ? accessToken : null
    },
    async recover(used, background, error) {
      const { status, accessToken, lastError } = store.getState()
      if (!isLive(status)) throw lastError ?? error
      if (accessToken !== used) return // someone refreshed meanwhile: retry with the new token
      // an idle user's polling does not revive the session: it runs into its warning instead
      if (background && !(activity.last() > session.adoptedAt())) throw error
      await session.refresh()
    },
    disabled: () => session.disable(false),
    trusts: origins.trusts,
  })
  session.restore()

  const logoutDeps = { authPost, saved, clock, refreshTransport, post, emit }
  return {
    http,
    store,
    clock,
    async login({ username, password }) {
      const sentAt = clock()
      const body = await authPost<TokenResponse>('/auth/login', {
        username,
        password,
        refresh_transport: refreshTransport,
      })
      const r = toRecord(body, sentAt)
      session.adopt(r, true)
      saved.set(r)
      post({ type: 'session', record: r, login: true })
      emit('login', { user: r.user, remote: false })
      return r.user
    },
    logout: () => logout(session, logoutDeps, false),
    logoutEverywhere: () => logout(session, logoutDeps, true),
    async extend() {
      await session.refresh()
      emit('extended', { sessionExpiresAt: store.getState().sessionExpiresAt! })
    },
    on,
    dispose() {
      session.dispose(new LeashError('disposed'))
      activity.dispose()
      win?.removeEventListener('focus', recheck)
      win?.document?.removeEventListener('visibilitychange', recheck)
      channel?.close()
      eject()
      clear()
    },
  }
}
