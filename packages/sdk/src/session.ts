import type { AuthRequest } from './auth-api.js'
import { isLeashMessage, type LeashMessage, type Lock } from './cross-tab.js'
import { LeashError, toLeashError } from './errors.js'
import type { createEmitter } from './events.js'
import { refreshSession, swapSession } from './refresh.js'
import { endsSession, refreshMarginOf, sessionEnd, shouldRefresh, warningOf } from './refresh-policy.js'
import { deadline } from './schedule.js'
import { type LeashState, type LeashStore, pending, type SessionWarning } from './state.js'
import { chain, type MaybePromise, type StoredValue } from './storage.js'
import type { LenientTokenResponse, StoredSession } from './tokens.js'

/** What a tab keeps in storage: the live session, or the fact of a logout with its 1-second token. */
export type Persisted = StoredSession | { loggedOut: true; accessToken?: string; accessExpiresAt?: number }

/** A token that outlives its session: logout's 1-second token. */
type Farewell = { accessToken: string; accessExpiresAt: number }

/** How a session ended (`anonymous`: none yet; `pending`: storage not read yet). */
type EndedStatus = 'pending' | 'anonymous' | 'loggedOut' | 'disabled' | 'expired'

export interface SessionDeps {
  store: LeashStore
  saved: StoredValue<Persisted>
  clock: () => number
  lock: Lock
  authRequest: AuthRequest
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
  /** The debug log (a no-op unless `debug`); never given a token. */
  log(...what: unknown[]): void
}

/** How to get a new session for the current one's access token: a password change. */
export type Swap = (accessToken: string) => Promise<LenientTokenResponse>

/**
 * The one owner of the session: the record this tab holds, the refresh in flight, the open warning, and
 * every transition between them (sign-in, refresh, warning, expiry, logout, disable). `leash.store` is
 * derived from this state by `view()` after every transition and written nowhere else.
 */
const noop = () => {}

export function createSession(deps: SessionDeps) {
  const { store, saved, clock, emit, post, log } = deps
  let record: StoredSession | null = null
  /** When this tab took the record: only activity after it calls for the next refresh. */
  let adoptedAt = 0
  let warning: SessionWarning | null = null
  let flight: Promise<string> | null = null
  let ended: { status: EndedStatus; farewell?: Farewell } = { status: 'pending' }
  let lastError: LeashError | null = null
  /** Aborted whenever the session this tab knows ends or is replaced: work begun for it stops there. */
  let life = new AbortController()

  const view = (): LeashState =>
    record
      ? {
          status: flight ? 'refreshing' : warning ? 'expiring' : 'authenticated',
          user: record.user,
          accessToken: record.accessToken,
          accessExpiresAt: record.accessExpiresAt,
          sessionExpiresAt: sessionEnd(record).endsAt,
          warning,
          lastError,
        }
      : { ...pending, status: ended.status, ...ended.farewell, lastError }
  const publish = () => store.setState(view(), true)

  // a failed refresh is already in the state and the events: nothing is left to reject into the page
  const refreshTimer = deadline(clock, () => void (onActivity('due')?.catch(noop) ?? log('refresh', 'idle')))
  const warnTimer = deadline(clock, () => {
    if (!record) return
    const { endsAt, reason } = warningOf(record, deps.warnBefore)
    warning = { endsAt, reason }
    log('warning', reason, endsAt)
    publish()
    emit('warning', warning)
  })
  const endTimer = deadline(clock, () => {
    if (!record) return
    const { reason } = sessionEnd(record)
    const error = new LeashError('session_expired')
    log('expired', reason)
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
  function adopt(r: StoredSession, login: boolean) {
    if (login) renew(new LeashError('logged_out'))
    record = r
    adoptedAt = clock()
    warning = null
    lastError = null
    const refreshAt = r.accessExpiresAt - refreshMarginOf(r, deps.refreshMargin)
    log('refresh at', refreshAt)
    refreshTimer.set(refreshAt)
    warnTimer.set(warningOf(r, deps.warnBefore).opensAt)
    endTimer.set(sessionEnd(r).endsAt)
    publish()
  }

  /** Takes the record of a refresh, here or (`remote`) in another tab. */
  function refreshed(r: StoredSession, remote: boolean) {
    adopt(r, false)
    emit('refreshed', { accessExpiresAt: r.accessExpiresAt, sessionExpiresAt: sessionEnd(r).endsAt, remote })
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

  /** A logout seen in storage or heard from another tab, with its 1-second token if it came. */
  function loggedOut({ accessToken, accessExpiresAt }: { accessToken?: string; accessExpiresAt?: number }) {
    end('loggedOut', null, accessToken ? { accessToken, accessExpiresAt: accessExpiresAt! } : undefined)
  }

  function disable(remote: boolean): LeashError {
    const error = new LeashError('user_disabled', 403)
    if (ended.status === 'disabled' && !record) return error
    log('disabled', remote)
    end('disabled', error)
    deps.clearStorage()
    if (!remote) post({ type: 'disabled' })
    emit('disabled', { remote })
    return error
  }

  /**
   * One token swap at a time, in this tab and (through the lock) across tabs: a refresh (`why` says what
   * asked for it), or with `swap` a password change, which waits for a refresh in flight and is never retried;
   * its failure leaves the session as it was.
   */
  function refresh(why: string, swap?: Swap): Promise<string> {
    if (flight) return swap ? flight.then(() => refresh(why, swap)) : flight
    if (!record) return Promise.reject(lastError ?? new LeashError('no_session'))
    log('refresh', why)
    const { signal } = life
    const io = {
      lock: deps.lock,
      clock,
      log,
      current: () => record,
      stored: () => chain(saved.get(), (p) => (p && !('loggedOut' in p) ? p : null)),
      save: (r: StoredSession) => chain(saved.set(r), () => post({ type: 'session', record: r })),
      post: (refreshToken?: string) =>
        deps.authRequest<LenientTokenResponse>(
          '/auth/refresh',
          deps.refreshTransport === 'body' ? { refresh_token: refreshToken } : {},
        ),
    }
    const work = (swap ? swapSession(io, swap, signal) : refreshSession(io, signal)).then(
      (r) => {
        signal.throwIfAborted()
        flight = null
        refreshed(r, false)
        return r.accessToken
      },
      (e: unknown) => {
        signal.throwIfAborted()
        flight = null
        const error = toLeashError(e)
        log('refreshFailed', error.code)
        if (swap) {
          publish()
          throw error
        }
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

  /** Activity (`why`: input, a request, the refresh deadline): refresh now if the token is within its margin. */
  function onActivity(why: string): Promise<string> | undefined {
    if (flight) return flight
    if (
      record &&
      !warning &&
      shouldRefresh(record, clock(), deps.lastActive(), adoptedAt, deps.refreshMargin)
    )
      return refresh(why)
  }

  /**
   * Restores what a previous page left in storage; synchronous with a synchronous adapter. What happened
   * meanwhile (a sign-in, news from another tab) wins over what an async adapter returns late.
   */
  function restore(): MaybePromise<void> {
    return chain(saved.get(), (found) => {
      if (ended.status !== 'pending' || record) return
      // Anything on the page's origin can write storage: what is found is checked as a message would be.
      const loggedOutFound = !!found && 'loggedOut' in found
      if (loggedOutFound && isLeashMessage({ ...found, type: 'loggedOut' })) loggedOut(found)
      else if (
        !loggedOutFound &&
        isLeashMessage({ type: 'session', record: found }) &&
        sessionEnd(found!).endsAt > clock()
      )
        adopt(found!, false)
      else {
        ended = { status: 'anonymous' }
        publish()
      }
      log('restore', store.getState().status)
    })
  }

  /** News from another tab. */
  function receive(m: LeashMessage) {
    log('receive', m.type)
    if (m.type === 'session') {
      // a refresh that crossed this tab's logout on the channel must not revive the session
      if (!m.login && !record) return
      if (m.login) {
        adopt(m.record, true)
        emit('login', { user: m.record.user, remote: true })
      } else refreshed(m.record, true)
    } else if (m.type === 'loggedOut') {
      loggedOut(m)
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
