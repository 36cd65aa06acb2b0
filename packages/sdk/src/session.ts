import type { AuthPost } from './auth-api.js'
import { isLeashMessage, type LeashMessage, type Lock } from './cross-tab.js'
import { LeashError, toLeashError } from './errors.js'
import type { createEmitter } from './events.js'
import { refreshSession } from './refresh.js'
import { endsSession, refreshMarginOf, sessionEnd, shouldRefresh, warningOf } from './refresh-policy.js'
import { deadline } from './schedule.js'
import type { LeashState, LeashStatus, LeashStore, SessionWarning } from './state.js'
import type { StoredValue } from './storage.js'
import type { SessionRecord, TokenResponse } from './tokens.js'

/** What a tab keeps in storage: the live session, or the fact of a logout with its 1-second token. */
export type Persisted = SessionRecord | { loggedOut: true; accessToken?: string; accessExpiresAt?: number }

/** A token that outlives its session: logout's 1-second token. */
type Farewell = { accessToken: string; accessExpiresAt: number }

/** How a session ended (or `anonymous`: none yet). */
type EndedStatus = 'anonymous' | 'loggedOut' | 'disabled' | 'expired'

export interface SessionDeps {
  store: LeashStore
  saved: StoredValue<Persisted>
  clock: () => number
  lock: Lock
  authPost: AuthPost
  emit: ReturnType<typeof createEmitter>['emit']
  /** Tells the other tabs (a no-op without cross-tab). */
  post(message: LeashMessage): void
  /** The last moment the user was active. */
  lastActive(): number
  refreshTransport: 'cookie' | 'body'
  refreshMargin: number
  warnBefore: number
  /** A disable clears storage as configured. */
  clearStorage(): void
}

/**
 * The one owner of the session: the record this tab holds, the refresh in flight, the open warning, and
 * every transition between them (sign-in, refresh, warning, expiry, logout, disable). `leash.store` is
 * derived from this state by `view()` after every transition and written nowhere else.
 */
export function createSession(deps: SessionDeps) {
  const { store, saved, clock, emit, post } = deps
  let record: SessionRecord | null = null
  /** When this tab took the record: only activity after it calls for the next refresh. */
  let adoptedAt = 0
  let warning: SessionWarning | null = null
  let flight: Promise<string> | null = null
  let ended: { status: EndedStatus; farewell?: Farewell } = { status: 'anonymous' }
  let lastError: LeashError | null = null
  /** Aborted whenever the session this tab knows ends or is replaced: work begun for it stops there. */
  let life = new AbortController()

  const view = (): LeashState => {
    if (!record) {
      return {
        status: ended.status,
        user: null,
        accessToken: ended.farewell?.accessToken ?? null,
        accessExpiresAt: ended.farewell?.accessExpiresAt ?? null,
        sessionExpiresAt: null,
        warning: null,
        lastError,
      }
    }
    const status: LeashStatus = flight ? 'refreshing' : warning ? 'expiring' : 'authenticated'
    return {
      status,
      user: record.user,
      accessToken: record.accessToken,
      accessExpiresAt: record.accessExpiresAt,
      sessionExpiresAt: sessionEnd(record).endsAt,
      warning,
      lastError,
    }
  }
  const publish = () => store.setState(view(), true)

  const refreshTimer = deadline(clock, () => void onActivity())
  const warnTimer = deadline(clock, () => {
    if (!record) return
    const { endsAt, reason } = warningOf(record, deps.warnBefore)
    warning = { endsAt, reason }
    publish()
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

  function renew(reason: LeashError) {
    life.abort(reason)
    life = new AbortController()
    flight = null
  }

  /** Takes a record as this tab's session (sign-in, refresh, restore, or news from another tab). */
  function adopt(r: SessionRecord, login: boolean) {
    if (login) renew(new LeashError('logged_out'))
    record = r
    adoptedAt = clock()
    warning = null
    lastError = null
    refreshTimer.set(r.accessExpiresAt - refreshMarginOf(r, deps.refreshMargin))
    warnTimer.set(warningOf(r, deps.warnBefore).opensAt)
    endTimer.set(sessionEnd(r).endsAt)
    publish()
  }

  /** Ends the session this tab holds; `farewell` is logout's 1-second token. */
  function end(status: Exclude<EndedStatus, 'anonymous'>, error: LeashError | null, farewell?: Farewell) {
    renew(error ?? new LeashError('logged_out'))
    record = null
    warning = null
    lastError = error
    ended = { status, ...(farewell && { farewell }) }
    for (const t of timers) t.set(null)
    publish()
  }

  function disable(remote: boolean): LeashError {
    const error = new LeashError('user_disabled', 403)
    if (ended.status === 'disabled' && !record) return error
    end('disabled', error)
    deps.clearStorage()
    if (!remote) post({ type: 'disabled' })
    emit('disabled', { remote })
    return error
  }

  /** One refresh at a time, in this tab and (through the lock) across tabs. */
  function refresh(): Promise<string> {
    if (flight) return flight
    if (!record) return Promise.reject(lastError ?? new LeashError('no_session'))
    const { signal } = life
    const work = refreshSession(
      {
        lock: deps.lock,
        clock,
        current: () => record,
        stored: () => {
          const p = saved.get()
          return p && !('loggedOut' in p) ? p : null
        },
        save(r) {
          saved.set(r)
          post({ type: 'session', record: r })
        },
        post: (refreshToken) =>
          deps.authPost<TokenResponse>(
            '/auth/refresh',
            deps.refreshTransport === 'body' ? { refresh_token: refreshToken } : {},
          ),
      },
      signal,
    ).then(
      (r) => {
        signal.throwIfAborted()
        flight = null
        adopt(r, false)
        emit('refreshed', {
          accessExpiresAt: r.accessExpiresAt,
          sessionExpiresAt: sessionEnd(r).endsAt,
          remote: false,
        })
        return r.accessToken
      },
      (e: unknown) => {
        signal.throwIfAborted()
        flight = null
        const error = toLeashError(e)
        if (endsSession(error)) {
          end('expired', error)
          saved.set(null)
        } else {
          lastError = error
          publish()
        }
        emit('refreshFailed', { error })
        if (endsSession(error)) emit('expired', { reason: 'server', error })
        throw error
      },
    )
    const current = abortable(work, signal)
    flight = current
    publish()
    return current
  }

  /** Activity (input): refresh now if the token is within its margin. */
  function onActivity(): Promise<string> | undefined {
    if (flight) return flight
    if (
      record &&
      !warning &&
      shouldRefresh(record, clock(), deps.lastActive(), adoptedAt, deps.refreshMargin)
    )
      return refresh()
  }

  /** Restores what a previous page left in storage. */
  function restore() {
    // Anything on the page's origin can write storage: what is found is checked as a message would be.
    const found = saved.get()
    if (found && 'loggedOut' in found) {
      const { accessToken, accessExpiresAt } = found
      if (!isLeashMessage({ type: 'loggedOut', accessToken, accessExpiresAt })) return
      end('loggedOut', null, accessToken ? { accessToken, accessExpiresAt: accessExpiresAt! } : undefined)
    } else if (isLeashMessage({ type: 'session', record: found }) && sessionEnd(found!).endsAt > clock())
      adopt(found!, false)
  }

  /** News from another tab. */
  function receive(m: LeashMessage) {
    if (m.type === 'session') {
      // a refresh that crossed this tab's logout on the channel must not revive the session
      if (!m.login && !record) return
      adopt(m.record, !!m.login)
      if (m.login) emit('login', { user: m.record.user, remote: true })
      else
        emit('refreshed', {
          accessExpiresAt: m.record.accessExpiresAt,
          sessionExpiresAt: sessionEnd(m.record).endsAt,
          remote: true,
        })
    } else if (m.type === 'loggedOut') {
      const { accessToken, accessExpiresAt } = m
      end('loggedOut', null, accessToken ? { accessToken, accessExpiresAt: accessExpiresAt! } : undefined)
      emit('loggedOut', { remote: true })
    } else disable(true)
  }

  return {
    /** The record this tab holds (null without a live session). */
    record: () => record,
    /** When this tab took the record. */
    adoptedAt: () => adoptedAt,
    /** Aborts when the session this tab knows ends or is replaced. */
    signal: () => life.signal,
    adopt,
    end,
    disable,
    refresh,
    onActivity,
    restore,
    receive,
    /** Logout's 1-second token, once the server sent it. */
    farewell(token: Farewell) {
      ended = { status: 'loggedOut', farewell: token }
      publish()
    },
    /** Re-checks every deadline (after sleep, or when a hidden tab shows again). */
    recheck: () => {
      for (const t of timers) t.check()
    },
    dispose(reason: LeashError) {
      renew(reason)
      for (const t of timers) t.set(null)
    },
  }
}

export type Session = ReturnType<typeof createSession>

/** `work`, or the abort reason as soon as `signal` aborts (callers stop waiting; the work runs out unseen). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason)
    signal.addEventListener('abort', abort)
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}
