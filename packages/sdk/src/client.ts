import type { RevokeSessionResponse, SessionsResponse, SignedInSession } from '@leash/protocol'
import axios, { type AxiosInstance } from 'axios'
import { trackActivity } from './activity.js'
import { createAuthRequest } from './auth-api.js'
import { defaultChannel, defaultLock, isLeashMessage, type LeashMessage, localLock } from './cross-tab.js'
import { LeashError } from './errors.js'
import { createEmitter, type LeashEvents, type LeashListener } from './events.js'
import { createLeashFetch, type LeashFetch } from './fetch.js'
import { installInterceptors } from './interceptors.js'
import type { LeashOptions } from './options.js'
import { createOriginPolicy } from './origins.js'
import { createPipeline, type PipelineDeps, type Stale } from './pipeline.js'
import { refreshTransport } from './refresh-transport.js'
import { createSession, noop } from './session.js'
import type { Persisted } from './session-types.js'
import { createLeashStore, isLive, type LeashStore } from './state.js'
import { clearStorage, PREFIX, resolveStorage, storedValue } from './storage.js'
import type { LeashUser, LenientTokenResponse } from './tokens.js'

/** A username and a password. */
export interface Credentials {
  username: string
  password: string
}

/** The client: an axios instance (and a `fetch`) that keeps a session on a leash. */
export interface LeashClient {
  /** The axios instance with Leash's interceptors installed. */
  readonly http: AxiosInstance
  /**
   * `fetch` with `leash.http`'s rules: the token to the API's origins only, one refresh and one retry on a
   * 401, `user_enabled: false` honoured, `init.leash` for `{ background, skipAuth }`. Relative URLs resolve
   * against `baseURL`. The server's answers resolve as `fetch`'s do; it rejects with a `LeashError` where
   * the session decides (disabled, no refresh possible).
   * @example const res = await leash.fetch('/api/notes', { leash: { background: true } })
   */
  readonly fetch: LeashFetch
  /** zustand vanilla store of `LeashState`: `getState()`, `subscribe()`. */
  readonly store: LeashStore
  /** The clock deadlines are on (for countdowns). */
  readonly clock: () => number
  /** Resolves once the session left in storage is restored (already, with a synchronous storage). */
  readonly ready: Promise<void>
  /**
   * A valid access token for another HTTP client, refreshed first when needed, by the rules of a request:
   * it counts as activity unless `background` (then an idle user's expired token rejects `token_expired`
   * rather than being refreshed). Rejects `no_session` (or why the session ended) without one.
   */
  getAccessToken(options?: { background?: boolean }): Promise<string>
  /** Signs in; rejects with `LeashError` (`invalid_credentials`, `user_disabled`, `rate_limited`, …). */
  login(credentials: Credentials): Promise<LeashUser>
  /**
   * Creates an account; signs in when the server answers with tokens, else (the reference server: 201
   * `{ user }`) only returns the user. Rejects `username_taken`, `registration_closed`, `invalid_request`, …
   */
  register(credentials: Credentials): Promise<LeashUser>
  /**
   * Changes the password. The server ends every session of the user and starts a new one, whose tokens
   * this tab adopts and hands to the other tabs. Rejects `invalid_credentials` (the session stays as it was).
   */
  changePassword(passwords: { current: string; next: string }): Promise<void>
  /**
   * Step-up: confirms the password in this session, so actions that ask for a recent sign-in (a refusal
   * `reauthentication_required`, event `reauthenticationRequired`) are accepted again. The new access token is
   * taken here and handed to the other tabs; the refresh token stays. Rejects `invalid_credentials` or
   * `rate_limited` (the session stays as it was).
   * @example await leash.reauthenticate(password); await retry()
   */
  reauthenticate(password: string): Promise<void>
  /**
   * The user's signed-in devices (live sessions, newest first) as the server lists them, dates as ISO
   * strings; `current` marks this one. Sent with a valid access token, refreshed first when due and once
   * after a 401, as a request is; `background` as for `getAccessToken` (a list on a timer or after each
   * refresh must not keep an idle session alive). Rejects `no_session` without a session, `user_disabled`
   * (then signed out), `token_expired` (background, idle).
   * @example const devices = await leash.sessions({ background: true })
   */
  sessions(options?: { background?: boolean }): Promise<SignedInSession[]>
  /**
   * Signs one device out (its next request is refused). For `current: true`, this one: the session ends here
   * and in every tab as after `logout()` (status `loggedOut`, event `loggedOut`), without its 1-second token.
   * Rejects `session_not_found` for an id that is not a live session of this user (changing nothing).
   */
  revokeSession(id: string): Promise<RevokeSessionResponse>
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
 * Without a window (a server) it touches no storage, timer or window: `'local'` is memory there.
 * @example const leash = createLeashClient({ baseURL: '/' }); await leash.login({ username, password })
 */
export function createLeashClient(options: LeashOptions = {}): LeashClient {
  const { clock = Date.now } = options
  const transport = refreshTransport(options.refreshTransport)
  const win =
    'window' in options ? options.window : (globalThis as { window?: LeashOptions['window'] }).window
  const crossTab = options.crossTab !== false && !!win
  const log: (...what: unknown[]) => void = options.debug
    ? (...what) => (options.logger ?? console.debug)('leash', ...what)
    : noop
  const http = options.axios ?? axios.create({ baseURL: options.baseURL ?? '/' })
  const auth = axios.create({
    baseURL: options.authBaseURL ?? options.baseURL ?? http.defaults.baseURL ?? '/',
    withCredentials: transport.credentials,
    adapter: http.defaults.adapter,
    // a redirect would re-send passwords and the refresh token (307/308) to wherever it points (Node's adapter)
    maxRedirects: 0,
  })
  // the API is where leash.http sends relative requests; its origin scopes keys, channel and lock
  const origins = createOriginPolicy(
    http.defaults.baseURL ?? '/',
    auth.defaults.baseURL,
    options.allowedOrigins,
    win?.location,
  )
  const api = origins.origin
  const storage = resolveStorage(options.storage, !!win)
  // a session under the old shared key cannot be told apart from another API's: dropped, never adopted
  storedValue(storage, 'session').set(null)
  const saved = storedValue<Persisted>(storage, `${api}:session`)
  const anyLock = crossTab ? (options.lock ?? defaultLock()) : localLock
  const store = createLeashStore()
  const { on, emit, clear } = createEmitter()
  const authRequest = createAuthRequest(auth, () => session.disable(false), origins.trusts)
  const activity = trackActivity(options.activity ?? 'both', clock, win, () => {
    session.onActivity('input')?.catch(noop)
  })
  const channel = crossTab
    ? // a tab, or anything else on this page origin, may post anything: only well-formed messages count
      (options.channel ?? defaultChannel())?.((m) => isLeashMessage(m) && session.receive(m), PREFIX + api)
    : undefined
  const post = (m: LeashMessage) => {
    log('post', m.type)
    channel?.post(m)
  }
  const session = createSession({
    store,
    saved,
    clock,
    log,
    lock: (name, fn, signal) => anyLock(`${PREFIX}${api}:${name}`, fn, signal),
    request: authRequest,
    emit,
    post,
    active: activity.last,
    transport,
    refreshMargin: options.refreshMargin ?? 60_000,
    warnBefore: options.warnBefore ?? 60_000,
    clear: () => clearStorage(storage, options.clearOnDisable ?? (win ? 'all' : 'leash')),
  })
  const recheck = session.recheck
  win?.addEventListener('focus', recheck)
  win?.document?.addEventListener('visibilitychange', recheck)

  const ready = Promise.resolve(session.restore())
  // true once told (`!emit(…)` is true): a refusal that asks for a recent sign-in
  const stale: Stale = (error, retry) =>
    error.code === 'reauthentication_required' && !emit('reauthenticationRequired', { error, retry })
  const deps: PipelineDeps = {
    async token(background) {
      await ready
      if (!background) activity.request()
      await session.onActivity('request')
      const { status, accessToken } = store.getState()
      return isLive(status) ? accessToken : null
    },
    async recover(used, background, error) {
      const { status, accessToken, lastError } = store.getState()
      if (!isLive(status)) throw lastError ?? error
      if (accessToken !== used) return log('401 newer')
      // an idle user's polling does not revive the session: it runs into its warning instead
      if (background && !(activity.last() > session.adoptedAt())) {
        log('401 idle')
        throw error
      }
      await session.refresh('401')
    },
    disabled: () => session.disable(false),
    trusts: origins.trusts,
  }
  const pipeline = createPipeline(deps, stale)
  const eject = installInterceptors(http, pipeline)

  // deps.token waits for the restore
  const getAccessToken = async ({ background }: { background?: boolean } = {}) => {
    const token = await deps.token(background)
    // none: rejects with why the session ended (or no_session); an expired one is refreshed first
    if (!token || store.getState().accessExpiresAt! <= clock())
      await deps.recover(
        token!,
        background,
        token ? new LeashError('token_expired', 401) : new LeashError('no_session'),
      )
    return store.getState().accessToken!
  }

  /** An `/auth/*` call with a valid bearer: refreshed first when due, and once more after a 401. */
  const withToken = <T>(path: string, method: 'get' | 'delete', o?: { background?: boolean }): Promise<T> => {
    let used: string
    // biome-ignore lint/suspicious/noAssignInExpressions: inline keeps the core in its budget (size.test.ts)
    const send = async () => authRequest<T>(path, undefined, (used = await getAccessToken(o)), method)
    return send().catch((e: LeashError) =>
      e.status === 401 && !stale(e, send)
        ? deps.recover(used, o?.background, e).then(send)
        : Promise.reject(e),
    )
  }

  /**
   * A token swap in this session: the password change, and the step-up (`/auth/<why>`, `why` for the log).
   * The bearer must be valid (refreshed first if due; waits for the restore). A refusal that asks for a
   * recent sign-in is told.
   */
  const swap = (why: string, body: object): Promise<void> =>
    getAccessToken()
      .then(() => session.refresh(why, (t) => authRequest(`/auth/${why}`, transport.ask(body), t)))
      .then(noop, (e: LeashError) => {
        stale(e, () => swap(why, body))
        throw e
      })

  /**
   * Login and register: an answer with tokens signs in, here, in storage (awaited: an async one too) and
   * in the other tabs; one without (register on the reference server) only returns the user.
   */
  const signIn =
    (path: string) =>
    async (credentials: Credentials): Promise<LeashUser> => {
      await ready
      const sentAt = clock()
      const body = await authRequest<Partial<LenientTokenResponse>>(path, transport.ask(credentials))
      if (body.access_token) await session.signIn(body as LenientTokenResponse, sentAt)
      return body.user!
    }

  return {
    http,
    fetch: createLeashFetch(pipeline, (url) => origins.resolve(http.getUri({ url })), options.fetch),
    store,
    clock,
    ready,
    getAccessToken,
    login: signIn('/auth/login'),
    register: signIn('/auth/register'),
    changePassword: ({ current, next }) =>
      swap('password', { current_password: current, new_password: next }),
    reauthenticate: (password) => swap('reauthenticate', { password }),
    sessions: (o) => withToken<SessionsResponse>('/auth/sessions', 'get', o).then((b) => b.sessions),
    async revokeSession(id) {
      const signal = session.signal()
      const body = await withToken<RevokeSessionResponse>(
        `/auth/sessions/${encodeURIComponent(id)}`,
        'delete',
      )
      // this tab's own session, unless a sign-in replaced it meanwhile: signed out here and in every tab
      if (body.current && !signal.aborted) await session.revoked()
      return body
    },
    logout: () => ready.then(() => session.logout(false)),
    logoutEverywhere: () => ready.then(() => session.logout(true)),
    async extend() {
      await ready
      await session.refresh('extend')
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
