import type { LogoutResponse } from '@leash/protocol'
import { isLeashMessage, type LeashMessage } from './cross-tab.js'
import { LeashError, toLeashError } from './errors.js'
import { type RefreshDeps, refreshSession, swapSession } from './refresh.js'
import { endsSession, refreshMarginOf, sessionEnd, shouldRefresh, warningOf } from './refresh-policy.js'
import { abortable, deadline } from './schedule.js'
import type {
  Change,
  Emission,
  EndedStatus,
  Farewell,
  Persisted,
  SessionDeps,
  Swap,
} from './session-types.js'
import { type LeashState, pending, type SessionWarning } from './state.js'
import { chain, type MaybePromise } from './storage.js'
import { type LenientTokenResponse, type StoredSession, toStoredSession } from './tokens.js'

/** Does nothing: the debug log when off, the catch of work whose failure is already in the state. */
export const noop = () => {}

/**
 * The one owner of the session: the stored session this tab holds, the refresh in flight, the open warning,
 * and every transition between them (sign-in, refresh, warning, expiry, logout, revoke, disable). Each goes
 * through `apply`, which updates the state, publishes it to `leash.store`, saves, tells the other tabs and
 * emits, in that order; callers ask for a transition and never write any of these themselves.
 */
export function createSession(deps: SessionDeps) {
  const { store, saved, clock, emit, post, log, transport } = deps
  let record: StoredSession | null = null
  /** When this tab took the record: only activity after it calls for the next refresh. */
  let adoptedAt = 0
  let warning: SessionWarning | null = null
  let flight: Promise<string> | null = null
  let ended: { status: EndedStatus } & Partial<Farewell> = { status: 'pending' }
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
      : { ...pending, ...ended, lastError }

  // A failed refresh is already in the state and the events: nothing is left to reject into the page.
  // The timers run only while there is a record: an end (`renew`) disarms them, a record sets them.
  const refreshTimer = deadline(clock, () => void (onActivity('due')?.catch(noop) ?? log('refresh idle')))
  const warnTimer = deadline(clock, () => {
    const { opensAt, ...opened } = warningOf(record!, deps.warnBefore)
    log('warning', opened.reason, opened.endsAt)
    apply({ warning: opened, emit: [['warning', opened]] })
  })
  const endTimer = deadline(clock, () => {
    const { reason } = sessionEnd(record!)
    const error = new LeashError('session_expired')
    log('expired', reason)
    apply({ end: 'expired', error, save: true, emit: [['expired', { reason, error }]] })
  })
  const timers = [refreshTimer, warnTimer, endTimer]

  /** Ends what this tab knew of the session: work begun for it stops, the timers too (a new record sets them). */
  function renew(reason = new LeashError('logged_out')) {
    life.abort(reason)
    life = new AbortController()
    flight = null
    for (const t of timers) t.set(null)
  }

  /**
   * The one writer: applies `c` to this tab's state and publishes it, then saves, tells the other tabs and
   * emits. Tab and events wait for the save (a tab told can read it back; a refresh holds its lock till
   * then) and are dropped if the session ended meanwhile. Resolves once all of it is done.
   */
  function apply(c: Change): MaybePromise<void> {
    const r = c.record
    if (r) {
      if (c.login) renew()
      record = r
      adoptedAt = clock()
      const refreshAt = r.accessExpiresAt - refreshMarginOf(r, deps.refreshMargin)
      log('refresh at', refreshAt)
      refreshTimer.set(refreshAt)
      warnTimer.set(warningOf(r, deps.warnBefore).opensAt)
      endTimer.set(sessionEnd(r).endsAt)
    } else if (c.end) {
      renew(c.error)
      record = null
      ended = { status: c.end, ...c.farewell }
    }
    // a new record or an end replaces warning and error alike (with what `c` has, or none)
    if (r || c.end || c.warning) warning = c.warning ?? null
    if (r || c.end || c.error) lastError = c.error ?? null
    if (r || c.end || !c.tell) store.setState(view(), true)
    // storage and the other tabs get what this tab now holds: they cannot be told anything else
    const { status, ...farewell } = ended
    const message = (
      record ? { type: 'session', record, login: c.login } : { type: status, ...farewell }
    ) as LeashMessage
    const { signal } = life
    // a saved ending is kept as a marker (with logout's 1-second token): a reload knows why it ended; a disable
    // clears storage first (per clearOnDisable), then leaves only `{ disabled: true }`
    if (c.save && status === 'disabled') deps.clear()
    return chain(
      c.save
        ? saved.set(record ?? (status === 'expired' ? null : ({ [status]: true, ...farewell } as Persisted)))
        : 0,
      () => {
        if (signal.aborted) return
        if (c.tell) post(message)
        for (const [event, payload] of c.emit ?? []) emit(event, payload as never)
      },
    )
  }

  /** A logout's change, with its 1-second token if one came (from storage, a tab, or the server). */
  const loggedOut = ({ accessToken, accessExpiresAt }: { accessToken?: string; accessExpiresAt?: number }) =>
    ({
      end: 'loggedOut',
      ...(accessToken && { farewell: { accessToken, accessExpiresAt: accessExpiresAt! } }),
    }) as const

  /** The `refreshed` event for taking `r`, here or (`remote`) in another tab. */
  const refreshed = (r: StoredSession, remote: boolean): Emission => [
    'refreshed',
    { accessExpiresAt: r.accessExpiresAt, sessionExpiresAt: sessionEnd(r).endsAt, remote },
  ]

  function disable(remote: boolean): LeashError {
    const error = new LeashError('user_disabled', 403)
    if (ended.status === 'disabled' && !record) return error
    log('disabled', remote)
    apply({ end: 'disabled', error, save: true, tell: !remote, emit: [['disabled', { remote }]] })
    return error
  }

  /**
   * One token swap at a time, in this tab and (through the lock) across tabs: a refresh (`why` says what
   * asked for it), or with `swap` a password change, which waits for a refresh in flight and is never retried;
   * its failure leaves the session as it was. The session builds the refresh request itself: the refresh
   * token goes from the newest stored session to the transport, and nowhere else.
   */
  function refresh(why: string, swap?: Swap): Promise<string> {
    if (flight) return swap ? flight.then(() => refresh(why, swap)) : flight
    if (!record) return Promise.reject(lastError ?? new LeashError('no_session'))
    log('refresh', why)
    const { signal } = life
    let stored: StoredSession | null = null
    /** Takes `r` as a refresh's result; a new one (`save`) is saved and told while the lock is held. */
    const land = (r: StoredSession, save?: boolean) => {
      flight = null
      return apply({ record: r, save, tell: save, emit: [refreshed(r, false)] })
    }
    const io: RefreshDeps = {
      ...deps, // lock, clock, log; its `post` (to the other tabs) is replaced by the refresh request's
      current: () => record,
      stored: () => chain(saved.get(), (p) => (stored = p && 'user' in p ? p : null)),
      save: (r) => land(r, true),
      post: () =>
        deps.request<LenientTokenResponse>(
          '/auth/refresh',
          transport.carry(stored?.refreshToken ?? record?.refreshToken),
        ),
    }
    const work = (swap ? swapSession(io, swap, signal) : refreshSession(io, signal)).then(
      (r) => {
        // a session another tab stored is taken here; a new one landed as it was saved; after an abort,
        // `flight` is another's (or none) and the callers already have the abort
        if (flight === current) land(r)
        return r.accessToken
      },
      (e: unknown) => {
        signal.throwIfAborted()
        flight = null
        const error = toLeashError(e)
        log('refreshFailed', error.code)
        const failed: Emission = ['refreshFailed', { error }]
        apply(
          swap
            ? {} // a failed swap leaves the session as it was
            : endsSession(error)
              ? {
                  end: 'expired',
                  error,
                  save: true,
                  emit: [failed, ['expired', { reason: 'server', error }]],
                }
              : { error, emit: [failed] },
        )
        throw error
      },
    )
    const current = abortable(work, signal)
    flight = current
    apply({})
    return current
  }

  /** Activity (`why`: input, a request, the refresh deadline): refresh now if the token is within margin. */
  const onActivity = (why: string): Promise<string> | undefined =>
    flight ??
    (record && !warning && shouldRefresh(record, clock(), deps.active(), adoptedAt, deps.refreshMargin)
      ? refresh(why)
      : undefined)

  /**
   * Restores what a previous page left in storage; synchronous with a synchronous adapter. What happened
   * meanwhile (a sign-in, news from another tab) wins over what an async adapter returns late.
   */
  function restore(): MaybePromise<void> {
    // Anything on the page's origin can write storage: what is found is checked as a message would be.
    type Found = (StoredSession & { loggedOut?: true; disabled?: unknown }) | null
    return chain(saved.get() as MaybePromise<Found>, (f) => {
      if (ended.status !== 'pending' || record) return
      apply(
        f?.loggedOut && isLeashMessage({ ...f, type: 'loggedOut' })
          ? loggedOut(f)
          : // a disable's marker: until the next sign-in, the page says why the session ended
            f?.disabled === true
            ? { end: 'disabled', error: new LeashError('user_disabled', 403) }
            : isLeashMessage({ type: 'session', record: f }) && sessionEnd(f!).endsAt > clock()
              ? { record: f! }
              : { end: 'anonymous' },
      )
      log('restore', store.getState().status)
    })
  }

  /** News from another tab: taken here, never saved or told again. */
  function receive(m: LeashMessage) {
    log('receive', m.type)
    if (m.type === 'session') {
      // a refresh that crossed this tab's logout on the channel must not revive the session
      if (!m.login && !record) return
      const { record: r, login } = m
      apply({
        record: r,
        login,
        emit: [login ? ['login', { user: r.user, remote: true }] : refreshed(r, true)],
      })
    } else if (m.type === 'loggedOut') apply({ ...loggedOut(m), emit: [['loggedOut', { remote: true }]] })
    else disable(true)
  }

  /**
   * Signs out: ended here at once (a failed call still ends it locally), then the server is told, and the
   * 1-second token it returns replaces the old one, here and in every tab. `everywhere` ends every session
   * of the user (it needs a valid access token, so an expired one is refreshed first) and rejects if the
   * server call failed.
   */
  async function logout(everywhere: boolean): Promise<void> {
    const held = record
    let token = held && held.accessExpiresAt > clock() ? held.accessToken : null
    log('logout', everywhere)
    if (everywhere && held && !token) token = await refresh('logout').catch(() => null)
    const spent = (record ?? held)?.refreshToken
    apply({ end: 'loggedOut', save: true })
    const { signal } = life
    const sentAt = clock()
    let failure: LeashError | undefined
    let farewell: StoredSession | undefined
    try {
      // the 1-second token, timed as any token is (of the rest, `loggedOut` keeps nothing)
      farewell = toStoredSession(
        await deps.request<LogoutResponse>(
          everywhere ? '/auth/logout-all' : '/auth/logout',
          transport.carry(spent),
          token,
        ),
        sentAt,
      )
    } catch (e) {
      failure = toLeashError(e)
    }
    if (signal.aborted) return // a sign-in (here or in another tab) came first
    await signedOut(farewell)
    if (everywhere && failure) throw failure
  }

  /**
   * Signed out by this tab, with the 1-second token if one came: ended (again after a logout's first step,
   * which is idempotent), saved, told to every tab, `loggedOut` emitted.
   */
  const signedOut = (farewell: Parameters<typeof loggedOut>[0] = {}) =>
    apply({ ...loggedOut(farewell), save: true, tell: true, emit: [['loggedOut', { remote: false }]] })

  return {
    /** When this tab took the record. */
    adoptedAt: () => adoptedAt,
    /** Aborts when the session this tab knows ends or is replaced. */
    signal: () => life.signal,
    /**
     * Signs in with a token response (login, register) sent at `sentAt`: here, in storage and in every tab;
     * resolves once the session is saved (an async storage too).
     */
    signIn(body: LenientTokenResponse, sentAt: number): MaybePromise<void> {
      const r = toStoredSession(body, sentAt)
      log('login')
      return apply({
        record: r,
        login: true,
        save: true,
        tell: true,
        emit: [['login', { user: r.user, remote: false }]],
      })
    },
    /** The server signed this device out (a revoke of the current session): as a logout, without its token. */
    revoked: () => signedOut(),
    /** Signs out here and in every tab, and (`everywhere`) every session of the user: see `logout`. */
    logout,
    disable,
    refresh,
    onActivity,
    restore,
    receive,
    /** Re-checks every deadline (after sleep, or when a hidden tab shows again). */
    recheck: () => {
      for (const t of timers) t.check()
    },
    dispose: renew,
  }
}

export type Session = ReturnType<typeof createSession>
