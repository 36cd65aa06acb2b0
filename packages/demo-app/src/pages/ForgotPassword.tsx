import { LeashError } from '@leash/sdk'
import { type FormEvent, useState } from 'react'
import { useAccount } from '../account.ts'
import { Link } from '../navigation.tsx'

/** "Forgot password?": asks for a reset link. The answer is the same whether or not the address has an account. */
export function ForgotPassword() {
  const account = useAccount()
  const [email, setEmail] = useState('')
  const [sent, setSent] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await account.requestPasswordReset(email)
      setSent(email)
    } catch (e) {
      const code = e instanceof LeashError ? e.code : 'network_error'
      setError(
        code === 'rate_limited'
          ? 'Too many requests for this address. Wait a while and try again.'
          : code === 'invalid_request'
            ? 'That does not look like an email address.'
            : 'The request failed. Is the server running?',
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="forgot-title">
        <h1 id="forgot-title">Reset your password</h1>
        {sent ? (
          <p className="notice" role="status">
            If an account has the address {sent}, a link to set a new password is on its way. It works once,
            for 30 minutes.
          </p>
        ) : (
          <p className="muted">Enter your account’s email address and we will mail you a link.</p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <label>
          Email
          <input
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Sending…' : sent ? 'Send another link' : 'Send the link'}
        </button>
        <p className="hint">
          <Link href="/">Back to sign-in</Link>
          {import.meta.env.DEV && <> · With `npm start`, mail arrives in the development inbox it prints.</>}
        </p>
      </form>
    </main>
  )
}
