import { LeashError } from '@leash/sdk'
import { useEffect, useState } from 'react'
import { useAccount } from '../account.ts'
import { Link } from '../navigation.tsx'

type State = 'verifying' | 'verified' | 'refused' | 'failed'

// A link works once: each token is sent once per page load, though React (StrictMode) may run the effect twice.
const sent = new Map<string, Promise<void>>()

/** The page a verification link opens (`/verify-email?token=…`): confirms the address at once. */
export function VerifyEmail() {
  const account = useAccount()
  const [state, setState] = useState<State>('verifying')

  useEffect(() => {
    const token = new URLSearchParams(window.location.search).get('token')
    if (!token) {
      setState('refused')
      return
    }
    let current = true
    if (!sent.has(token)) sent.set(token, account.verifyEmail(token))
    sent.get(token)!.then(
      () => current && setState('verified'),
      (e: unknown) =>
        current &&
        setState(e instanceof LeashError && e.code === 'invalid_verification_token' ? 'refused' : 'failed'),
    )
    return () => {
      current = false
    }
  }, [account])

  return (
    <main className="signin">
      <section className="card" aria-labelledby="verify-title">
        <h1 id="verify-title">Confirm your email</h1>
        {state === 'verifying' && <p className="muted">Confirming your address…</p>}
        {state === 'verified' && (
          <p className="notice" role="status">
            Your email address is confirmed.
          </p>
        )}
        {state === 'refused' && (
          <p className="error" role="alert">
            This link does not work: it was used already, replaced by a newer one, or expired. Sign in to ask
            for a new one.
          </p>
        )}
        {state === 'failed' && (
          <p className="error" role="alert">
            The address could not be confirmed now. Open the link again in a moment.
          </p>
        )}
        <p>
          <Link href="/">Go to the demo</Link>
        </p>
      </section>
    </main>
  )
}
