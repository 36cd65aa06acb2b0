import { LeashError } from '@leash/sdk'
import { type FormEvent, type ReactNode, useState } from 'react'
import { useAccount } from '../account.ts'
import { Link } from '../navigation.tsx'

type Outcome = { done: true } | { done: false; refused: boolean; message: string }

/** The page a reset link opens (`/reset-password?token=…`): the new password, twice. */
export function ResetPassword() {
  const account = useAccount()
  const token = new URLSearchParams(window.location.search).get('token') ?? ''
  const [password, setPassword] = useState('')
  const [again, setAgain] = useState('')
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (password !== again) {
      setOutcome({ done: false, refused: false, message: 'The two passwords differ.' })
      return
    }
    setBusy(true)
    setOutcome(null)
    try {
      await account.resetPassword(token, password)
      setOutcome({ done: true })
    } catch (e) {
      const code = e instanceof LeashError ? e.code : 'network_error'
      if (code === 'invalid_reset_token')
        setOutcome({
          done: false,
          refused: true,
          message:
            'This link does not work any more: it was used already, replaced by a newer one, or expired.',
        })
      else if (code === 'invalid_request')
        setOutcome({
          done: false,
          refused: false,
          message: `The new password ${account.passwordProblem() ?? 'was refused'}. Choose another.`,
        })
      else if (code === 'rate_limited')
        setOutcome({ done: false, refused: false, message: 'Too many attempts. Wait a while and try again.' })
      else setOutcome({ done: false, refused: false, message: 'The request failed. Is the server running?' })
    } finally {
      setBusy(false)
    }
  }

  if (outcome?.done)
    return (
      <Page>
        <p className="notice" role="status">
          Your password was changed, and every device signed in to your account was signed out.
        </p>
        <p>
          <Link href="/">Sign in with the new password</Link>
        </p>
      </Page>
    )
  if (!token || outcome?.refused)
    return (
      <Page>
        <p className="error" role="alert">
          {outcome?.message ??
            'This page needs the link from the email: it carries a token, and this one has none.'}
        </p>
        <p>
          <Link href="/forgot-password">Ask for a new link</Link> · <Link href="/">Back to sign-in</Link>
        </p>
      </Page>
    )
  return (
    <Page onSubmit={submit}>
      <p className="muted">
        Choose a new password. Every device signed in to your account will be signed out.
      </p>
      {outcome && (
        <p className="error" role="alert">
          {outcome.message}
        </p>
      )}
      <label>
        New password
        <input
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <label>
        New password, again
        <input
          type="password"
          autoComplete="new-password"
          value={again}
          onChange={(e) => setAgain(e.target.value)}
          required
        />
      </label>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Setting…' : 'Set the new password'}
      </button>
    </Page>
  )
}

function Page({ children, onSubmit }: { children: ReactNode; onSubmit?: (e: FormEvent) => void }) {
  return (
    <main className="signin">
      <form className="card" onSubmit={onSubmit} aria-labelledby="reset-title">
        <h1 id="reset-title">Set a new password</h1>
        {children}
      </form>
    </main>
  )
}
