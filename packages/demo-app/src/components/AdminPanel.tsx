import { LeashError } from '@leash/sdk'
import { useLeashClient } from '@leash/sdk/react'
import { useCallback, useEffect, useState } from 'react'
import { useStepUp } from './ConfirmPassword.tsx'
import { UserEvents } from './UserEvents.tsx'

interface AdminUser {
  id: string
  username: string
  role: 'user' | 'admin'
  enabled: boolean
}

/**
 * For admins: disable or enable a user, revoke one user's sessions, or everyone's; a user's recent events.
 * Every change needs a recent sign-in: the "Confirm your password" dialog asks, then it is done.
 */
export function AdminPanel() {
  const client = useLeashClient()
  const stepUp = useStepUp()
  const [users, setUsers] = useState<AdminUser[]>([])
  const [notice, setNotice] = useState<string | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const [version, setVersion] = useState(0)

  const load = useCallback(async () => {
    const r = await client.http.get<{ users: AdminUser[] }>('/admin/users')
    setUsers(r.data.users)
  }, [client])

  useEffect(() => {
    load().catch(() => setNotice('Could not load users.'))
  }, [load])

  const act = async (label: string, path: string) => {
    try {
      await stepUp(() => client.http.post(path))
      setNotice(label)
      await load()
      setVersion((v) => v + 1)
    } catch (e) {
      const code = e instanceof LeashError ? e.code : null
      setNotice(
        code === 'reauthentication_required'
          ? 'Not done: that needs your password confirmed.'
          : code
            ? `${label} failed: ${code}`
            : `${label} failed`,
      )
    }
  }

  return (
    <section className="card admin" aria-labelledby="admin-title">
      <h2 id="admin-title">Administration</h2>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <th scope="row">{u.username}</th>
              <td>{u.role}</td>
              <td>{u.enabled ? 'enabled' : 'disabled'}</td>
              <td className="actions">
                {u.enabled ? (
                  <button
                    type="button"
                    className="button subtle"
                    aria-label={`Disable ${u.username}`}
                    onClick={() => act(`Disabled ${u.username}`, `/admin/users/${u.id}/disable`)}
                  >
                    Disable
                  </button>
                ) : (
                  <button
                    type="button"
                    className="button subtle"
                    aria-label={`Enable ${u.username}`}
                    onClick={() => act(`Enabled ${u.username}`, `/admin/users/${u.id}/enable`)}
                  >
                    Enable
                  </button>
                )}
                <button
                  type="button"
                  className="button subtle"
                  aria-label={`Events of ${u.username}`}
                  aria-pressed={selected === u.id}
                  onClick={() => setSelected(selected === u.id ? null : u.id)}
                >
                  Events
                </button>
                <button
                  type="button"
                  className="button subtle"
                  aria-label={`Revoke ${u.username}`}
                  onClick={() => act(`Revoked every session of ${u.username}`, `/admin/users/${u.id}/revoke`)}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {/* Keyed by the panel's actions too: each one loads the list again. */}
      {users
        .filter((u) => u.id === selected)
        .map((u) => (
          <UserEvents key={`${u.id}-${version}`} user={u} />
        ))}
      <button
        type="button"
        className="button danger"
        onClick={() => act('Revoked everyone', '/admin/revoke-all')}
      >
        Revoke everyone
      </button>
    </section>
  )
}
