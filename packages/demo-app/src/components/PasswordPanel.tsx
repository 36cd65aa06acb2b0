import { LeashError } from '@leash/sdk'
import { useLeashClient } from '@leash/sdk/react'
import { type FormEvent, useState } from 'react'
import { useStepUp } from './ConfirmPassword.tsx'

const reasons: Record<string, string> = {
  invalid_credentials: 'The current password is wrong; nothing changed.',
  invalid_request: 'The new password was refused: it is too easy to guess. Choose another.',
  rate_limited: 'Too many attempts. Wait a minute and try again.',
  reauthentication_required: 'Not changed: the change needs your password confirmed.',
}

/** Changes the password (this device stays signed in; every other one is signed out). Needs a recent sign-in. */
export function PasswordPanel() {
  const client = useLeashClient()
  const stepUp = useStepUp()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setNotice(null)
    try {
      await stepUp(() => client.changePassword({ current, next }))
      setCurrent('')
      setNext('')
      setNotice({ ok: true, text: 'Password changed. Your other devices were signed out.' })
    } catch (e) {
      const code = e instanceof LeashError ? e.code : 'network_error'
      setNotice({ ok: false, text: reasons[code] ?? `The password was not changed (${code}).` })
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card password" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      {notice && (
        <p className={notice.ok ? 'notice' : 'error'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </p>
      )}
      <form onSubmit={submit}>
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </label>
        <label>
          New password
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
      <p className="hint">Like signing out another device or any admin action, it needs a recent sign-in.</p>
    </section>
  )
}
