import { isLive } from '@leash/sdk'
import { useLeash, useLeashClient } from '@leash/sdk/react'
import { useState } from 'react'

/** Brand, who is signed in, and the two ways to sign out. */
export function Header() {
  const client = useLeashClient()
  const user = useLeash((s) => s.user)
  const live = useLeash((s) => isLive(s.status))
  const [busy, setBusy] = useState(false)
  const run = (action: () => Promise<void>) => async () => {
    setBusy(true)
    try {
      await action()
    } finally {
      setBusy(false)
    }
  }
  return (
    <header className="header">
      <div className="brand">
        <span className="logo" aria-hidden="true">
          ⟜
        </span>
        <span>Leash</span>
        <span className="tag">demo</span>
      </div>
      {live && user && (
        <nav className="account" aria-label="Account">
          <span className="who">
            {user.username}
            {user.role === 'admin' && <span className="badge">admin</span>}
          </span>
          <button type="button" className="button subtle" disabled={busy} onClick={run(client.logout)}>
            Sign out
          </button>
          <button
            type="button"
            className="button subtle"
            disabled={busy}
            onClick={run(client.logoutEverywhere)}
          >
            Sign out everywhere
          </button>
        </nav>
      )}
    </header>
  )
}
