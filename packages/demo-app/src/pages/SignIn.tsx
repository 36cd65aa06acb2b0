import { LeashError } from '@leash/sdk'
import { useLeash, useLeashClient } from '@leash/sdk/react'
import { type FormEvent, useState } from 'react'
import { Link } from '../navigation.tsx'

const reasons: Record<string, string> = {
  invalid_credentials: 'Wrong username or password.',
  user_disabled: 'This account has been disabled. Ask an administrator to enable it.',
  rate_limited: 'Too many failed attempts. Wait a minute and try again.',
  network_error: 'The server cannot be reached. Is it running?',
}

/** Why the last session ended, as the sign-in page tells it. */
function useEndedBecause(): string | null {
  const status = useLeash((s) => s.status)
  const code = useLeash((s) => s.lastError?.code)
  if (status === 'disabled') return reasons.user_disabled!
  if (status === 'loggedOut') return 'You signed out.'
  if (status === 'expired') {
    if (code === 'session_revoked' || code === 'refresh_token_reused')
      return 'Your session was ended. Sign in again.'
    return 'Your session timed out. Sign in again.'
  }
  return null
}

/** The sign-in form; server errors are shown as text. */
export function SignIn() {
  const client = useLeashClient()
  const ended = useEndedBecause()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await client.login({ username, password })
    } catch (e) {
      const code = e instanceof LeashError ? e.code : 'network_error'
      setError(reasons[code] ?? (e instanceof Error ? e.message : 'Sign-in failed.'))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in</h1>
        <p className="muted">
          Revocable sessions, live: tokens refresh silently, warn before they time out, and die the moment an
          admin says so.
        </p>
        {ended && !error && (
          <p className="notice" role="status">
            {ended}
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <label>
          Username
          <input
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          <Link href="/forgot-password">Forgot password?</Link>
        </p>
        <p className="hint">
          Demo users: <code>alice</code> / <code>alice-password</code>, <code>bob</code> /{' '}
          <code>bob-password</code>, admin <code>admin</code> / <code>admin-password</code>.
        </p>
      </form>
    </main>
  )
}
