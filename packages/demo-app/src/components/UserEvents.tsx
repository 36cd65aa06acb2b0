import { useLeashClient } from '@leash/sdk/react'
import { useEffect, useState } from 'react'

/** An audit event as `GET /admin/audit` answers it (the fields this list shows). */
interface AuditEvent {
  id: string
  time: number
  type: string
  code: string | null
  address: string | null
}

/** For admins: the selected user's latest audit events (time, type, code, address), newest first. */
export function UserEvents({ user }: { user: { id: string; username: string } }) {
  const client = useLeashClient()
  const [events, setEvents] = useState<AuditEvent[] | null>(null)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    let current = true
    client.http
      .get<{ events: AuditEvent[] }>('/admin/audit', { params: { user: user.id, limit: 20 } })
      .then((r) => current && setEvents(r.data.events))
      .catch(() => current && setFailed(true))
    return () => {
      current = false
    }
  }, [client, user.id])

  return (
    <section className="user-events" aria-labelledby="user-events-title">
      <h3 id="user-events-title">Recent events of {user.username}</h3>
      {failed && <p className="notice">Could not load the events.</p>}
      {events?.length === 0 && <p>No events.</p>}
      {events && events.length > 0 && (
        <ol className="events">
          {events.map((e) => (
            <li key={e.id}>
              <time dateTime={new Date(e.time).toISOString()}>{new Date(e.time).toLocaleString()}</time>{' '}
              <code>{e.type}</code>
              {e.code && <span className="code"> {e.code}</span>}
              {e.address && <span className="address"> from {e.address}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
