import type { RevokeSessionResponse, SignedInSession } from '@leash/protocol'
import { useEffect, useState } from 'react'
import type { LeashError } from '../errors.js'
import { isLive } from '../state.js'
import { useLeashClient } from './provider.js'
import { useLeash } from './use-leash.js'

/** What `useSessions` returns: the user's signed-in devices and the way to sign one out. */
export interface SessionsView {
  /** Newest first, `current` marking this device; null without a live session and until the first answer. */
  sessions: SignedInSession[] | null
  /** A fetch is under way. */
  loading: boolean
  /** Why the last fetch failed (a `LeashError`), until one succeeds; the last list stays meanwhile. */
  error: LeashError | null
  /** Fetches the list again. */
  refresh(): void
  /**
   * `leash.revokeSession(id)`, then the list again. This device's own id signs out here and in every tab.
   * Rejects as `revokeSession` does (`session_not_found`, …).
   */
  revoke(id: string): Promise<RevokeSessionResponse>
}

interface Fetched {
  /** The token and the refresh count it was asked with. */
  key?: string
  /** Whose list it is: a list is never shown to another user. */
  user?: string
  sessions: SignedInSession[] | null
  error: LeashError | null
}

/**
 * The user's signed-in devices (`leash.sessions()`), fetched again when the session's token changes (a
 * sign-in or a refresh, here or in another tab), after `refresh()` and after `revoke(id)`. The fetches are
 * `background`: they never keep an idle session alive. A server render and hydration see no session, so no
 * list and no fetch: `{ sessions: null, loading: false }`.
 * @example const { sessions, revoke } = useSessions()
 */
export function useSessions(): SessionsView {
  const client = useLeashClient()
  const token = useLeash((s) => (isLive(s.status) ? s.accessToken : null))
  const user = useLeash((s) => s.user?.id)
  const [tick, setTick] = useState(0)
  const [fetched, setFetched] = useState<Fetched>({ sessions: null, error: null })
  const key = token && `${tick} ${token}`
  useEffect(() => {
    if (!key) return
    let current = true
    // not the user's doing: a list fetched after every refresh must not keep an idle session alive
    client.sessions({ background: true }).then(
      (sessions) => current && setFetched({ key, user, sessions, error: null }),
      (error: LeashError) =>
        current &&
        // an idle session's expired token: the list waits (loading) for the refresh the next activity brings
        error.code !== 'token_expired' &&
        setFetched((f) => ({ key, user, sessions: f.user === user ? f.sessions : null, error })),
    )
    return () => {
      current = false
    }
  }, [client, key, user])
  const again = () => setTick((t) => t + 1)
  const mine = !!key && fetched.user === user
  return {
    sessions: mine ? fetched.sessions : null,
    loading: !!key && fetched.key !== key,
    error: mine ? fetched.error : null,
    refresh: again,
    revoke: (id) => client.revokeSession(id).finally(again),
  }
}
