import axios from 'axios'
import { trackActivity } from './activity.js'
import { createAuthPost } from './auth-api.js'
import { defaultChannel, defaultLock, isLeashMessage, type LeashMessage, localLock } from './cross-tab.js'
import { LeashError, toLeashError } from './errors.js'
import { createEmitter } from './events.js'
import { installInterceptors } from './interceptors.js'
import type { LeashClient } from './leash-client.js'
import type { LeashOptions } from './options.js'
import { createOriginPolicy } from './origins.js'
import { abortable, refreshSession } from './refresh.js'
import { deadline } from './schedule.js'
import {
  createLeashStore,
  ended,
  expires,
  expiring,
  isLive,
  refreshFailed,
  refreshing,
  sessionEnd,
  signedIn,
} from './state.js'
import { clearStorage, PREFIX, resolveStorage, storedValue } from './storage.js'
import { type SessionRecord, type TokenResponse, toRecord } from './tokens.js'

type Persisted = SessionRecord | { loggedOut: true; accessToken?: string; accessExpiresAt?: number }

/**
 * Creates the client. Nothing here touches `window` unless it exists, so it imports and runs in Node.
 * @example const leash = createLeashClient({ baseURL: '/' }); await leash.login({ username, password })
 */
export function createLeashClient(options: LeashOptions = {}): LeashClient {
  const {
    refreshMargin = 60_000,
    warnBefore = 60_000,
    refreshTransport = 'cookie',
    clearOnDisable = 'all',
    clock = Date.now,
  } = options
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
  const lock: typeof anyLock = (name, fn, signal) => anyLock(`${PREFIX}${api}:${name}`, fn, signal)
  const store = createLeashStore()
  const { on, emit, clear } = createEmitter()
  let life = new AbortController()
  let record: SessionRecord | null = null
  let flight: Promise<string> | null = null

  const activity = trackActivity(
    options.activity ?? 'both',
    clock,
    win,
    () => void maybeRefresh()?.catch(noop),
  )
  const refreshTimer = deadline(clock, () => void maybeRefresh()?.catch(noop))
  const warnTimer = deadline(clock, () => {
    if (!record || !isLive(store.getState().status)) return
    const warning = sessionEnd(record)
    expiring(store, warning)
    emit('warning', warning)
  })
  const endTimer = deadline(clock, () => {
    if (!record) return
    const { reason } = sessionEnd(record)
    const error = new LeashError('session_expired')
    end('expired', error)
    saved.set(null)
    emit('expired', { reason, error })
  })
  const timers = [refreshTimer, warnTimer, endTimer]
  const recheck = () => {
    for (const t of timers) t.check()
  }
  win?.addEventListener('focus', recheck)
  win?.document?.addEventListener('visibilitychange', recheck)

  const channel = crossTab ? (options.channel ?? defaultChannel(win!))?.(receive, PREFIX + api) : undefined
  const post = (message: LeashMessage) => channel?.post(message)

  function adopt(r: SessionRecord, login: boolean) {
    if (login) renew(new LeashError('logged_out'))
    record = r
    signedIn(store, r)
    refreshTimer.set(r.accessExpiresAt - refreshMargin)
    const { endsAt } = sessionEnd(r)
    warnTimer.set(endsAt - warnBefore)
    endTimer.set(endsAt)
  }

  function renew(reason: LeashError) {
    life.abort(reason)
    life = new AbortController()
    flight = null
  }

  function end(
    status: 'loggedOut' | 'disabled' | 'expired',
    error: LeashError | null,
    token?: { accessToken: string; accessExpiresAt: number },
  ) {
    renew(error ?? new LeashError('logged_out'))
    record = null
    for (const t of timers) t.set(null)
    ended(store, status, error, token)
  }

  function disable(remote: boolean): LeashError {
    const error = new LeashError('user_disabled', 403)
    if (store.getState().status === 'disabled') return error
    end('disabled', error)
    clearStorage(storage, clearOnDisable, [`${api}:session`])
    if (!remote) post({ type: 'disabled' })
    emit('disabled', { remote })
    return error
  }

  function receive(m: unknown) {
    if (!isLeashMessage(m)) return // a tab, or anything else on this page origin, may post anything
    if (m.type === 'session') {
      // a refresh that crossed this tab's logout on the channel must not revive the session
      if (!m.login && !isLive(store.getState().status)) return
      adopt(m.record, !!m.login)
      if (m.login) emit('login', { user: m.record.user, remote: true })
      else emit('refreshed', { ...expires(m.record), remote: true })
    } else if (m.type === 'loggedOut') {
      end(
        'loggedOut',
        null,
        m.accessToken ? { accessToken: m.accessToken, accessExpiresAt: m.accessExpiresAt! } : undefined,
      )
      emit('loggedOut', { remote: true })
    } else disable(true)
  }

  const authPost = createAuthPost(auth, () => disable(false))

  function refresh(): Promise<string> {
    if (flight) return flight
    const { status, lastError } = store.getState()
    if (!record || !isLive(status)) return Promise.reject(lastError ?? new LeashError('no_session'))
    const { signal } = life
    refreshing(store)
    const deps = {
      lock,
      clock,
      current: () => record,
      stored: () => {
        const p = saved.get()
        return p && !('loggedOut' in p) ? p : null
      },
      save(r: SessionRecord) {
        saved.set(r)
        post({ type: 'session', record: r })
      },
      post: (refreshToken: string | undefined) =>
        authPost<TokenResponse>(
          '/auth/refresh',
          refreshTransport === 'body' ? { refresh_token: refreshToken } : {},
        ),
    }
    const work = refreshSession(deps, signal).then(
      (r) => {
        signal.throwIfAborted()
        adopt(r, false)
        emit('refreshed', { ...expires(r), remote: false })
        return r.accessToken
      },
      (e: unknown) => {
        signal.throwIfAborted()
        const error = toLeashError(e)
        if (error.status === 401 || error.status === 403) {
          end('expired', error)
          saved.set(null)
        } else refreshFailed(store, error)
        emit('refreshFailed', { error })
        if (error.status === 401 || error.status === 403) emit('expired', { reason: 'server', error })
        throw error
      },
    )
    const current: Promise<string> = abortable(work, signal).finally(() => {
      if (flight === current) flight = null
    })
    flight = current
    return current
  }

  function maybeRefresh(): Promise<string> | undefined {
    if (flight) return flight
    const { status } = store.getState()
    if (record && status === 'authenticated' && clock() >= record.accessExpiresAt - refreshMargin) {
      if (activity.since(record.issuedAt)) return refresh()
    }
  }

  async function logout(everywhere: boolean): Promise<void> {
    const { status, accessToken, accessExpiresAt } = store.getState()
    const refreshToken = record?.refreshToken
    let token = isLive(status) && accessExpiresAt! > clock() ? accessToken : null
    if (everywhere && isLive(status) && !token) token = await refresh().catch(() => null)
    end('loggedOut', null)
    saved.set({ loggedOut: true })
    const { signal } = life
    const sentAt = clock()
    let failure: LeashError | undefined
    try {
      const body = await authPost<TokenResponse>(
        everywhere ? '/auth/logout-all' : '/auth/logout',
        refreshTransport === 'body' && refreshToken ? { refresh_token: refreshToken } : {},
        token,
      )
      if (!signal.aborted) {
        const oneSecond = { accessToken: body.access_token, accessExpiresAt: sentAt + body.expires_in * 1000 }
        ended(store, 'loggedOut', null, oneSecond)
        saved.set({ loggedOut: true, ...oneSecond })
      }
    } catch (e) {
      failure = toLeashError(e)
    }
    if (signal.aborted) return // a login (here or in another tab) came first
    const { accessToken: oneSecond, accessExpiresAt: at } = store.getState()
    post({ type: 'loggedOut', ...(oneSecond && { accessToken: oneSecond, accessExpiresAt: at! }) })
    emit('loggedOut', { remote: false })
    if (everywhere && failure) throw failure
  }

  const eject = installInterceptors(http, {
    async token(background) {
      if (!background) activity.request()
      await maybeRefresh()
      const { status, accessToken } = store.getState()
      return isLive(status) ? accessToken : null
    },
    async recover(used, background, error) {
      const { status, accessToken, lastError } = store.getState()
      if (!isLive(status)) throw lastError ?? error
      if (accessToken !== used) return // someone refreshed meanwhile: retry with the new token
      if (background && !activity.since(record!.issuedAt)) throw error
      await refresh()
    },
    disabled: () => disable(false),
    trusts: origins.trusts,
  })

  // restore what a previous page left
  const found = saved.get()
  if (found && 'loggedOut' in found) {
    ended(
      store,
      'loggedOut',
      null,
      found.accessToken ? (found as { accessToken: string; accessExpiresAt: number }) : undefined,
    )
  } else if (found && sessionEnd(found).endsAt > clock()) adopt(found, false)

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
      adopt(r, true)
      saved.set(r)
      post({ type: 'session', record: r, login: true })
      emit('login', { user: r.user, remote: false })
      return r.user
    },
    logout: () => logout(false),
    logoutEverywhere: () => logout(true),
    async extend() {
      await refresh()
      emit('extended', { sessionExpiresAt: store.getState().sessionExpiresAt! })
    },
    on,
    dispose() {
      renew(new LeashError('disposed'))
      for (const t of timers) t.set(null)
      activity.dispose()
      win?.removeEventListener('focus', recheck)
      win?.document?.removeEventListener('visibilitychange', recheck)
      channel?.close()
      eject()
      clear()
    },
  }
}

const noop = () => {}
