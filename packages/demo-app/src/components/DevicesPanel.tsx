import { LeashError, type SignedInSession } from '@leash/sdk'
import { useSessions } from '@leash/sdk/react'
import { useState } from 'react'
import { useStepUp } from './ConfirmPassword.tsx'
import { deviceLabel } from './device-label.ts'
import { ago, useNow } from './use-now.ts'

/**
 * The user's signed-in devices, each with a "Sign out"; this device's signs out here. Signing out another
 * device needs a recent sign-in: the "Confirm your password" dialog asks, then it is done.
 */
export function DevicesPanel() {
  const { sessions, loading, error, refresh, revoke } = useSessions()
  const stepUp = useStepUp()
  const [busy, setBusy] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const now = useNow(30_000)

  const signOut = async (s: SignedInSession) => {
    setBusy(s.id)
    setNotice(null)
    try {
      if (s.current) await revoke(s.id)
      else {
        // `revoke` lists the devices again after the refusal; the retry after the dialog is the client's own
        await stepUp(() => revoke(s.id))
        refresh()
        setNotice(`${deviceLabel(s.user_agent)} was signed out.`)
      }
    } catch (e) {
      const code = e instanceof LeashError ? e.code : 'network_error'
      setNotice(
        code === 'session_not_found'
          ? 'That device had already signed out.'
          : code === 'reauthentication_required'
            ? `${deviceLabel(s.user_agent)} was not signed out: that needs your password confirmed.`
            : `Sign-out failed: ${code}`,
      )
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="card devices" aria-labelledby="devices-title">
      <div className="row spread">
        <h2 id="devices-title">Signed-in devices</h2>
        <button type="button" className="button subtle" onClick={refresh} disabled={loading}>
          Refresh
        </button>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          Could not load your devices ({error.code}).
        </p>
      )}
      {sessions === null && !error && <p className="muted">Loading devices…</p>}
      {sessions && (
        <ul className="list devices-list" aria-label="Your devices">
          {sessions.map((s) => {
            const label = deviceLabel(s.user_agent)
            return (
              <li key={s.id}>
                <div className="device">
                  <strong>
                    {label}
                    {s.current && <span className="badge">This device</span>}
                  </strong>
                  <span className="muted">
                    Signed in <time dateTime={s.created_at}>{ago(s.created_at, now)}</time> · last used{' '}
                    <time dateTime={s.last_used_at}>{ago(s.last_used_at, now)}</time>
                  </span>
                </div>
                <button
                  type="button"
                  className="button subtle"
                  disabled={busy !== null}
                  aria-label={
                    s.current
                      ? `Sign out ${label}, this device`
                      : `Sign out ${label}, signed in ${ago(s.created_at, now)}`
                  }
                  onClick={() => void signOut(s)}
                >
                  Sign out
                </button>
              </li>
            )
          })}
        </ul>
      )}
      <p className="hint">Signing another device out ends its session at its next request.</p>
    </section>
  )
}
