import { useLeash } from '@leash/sdk/react'
import type { LoggedEvent } from './use-event-log.ts'
import { countdown, useNow } from './use-now.ts'

/** Status, the two countdowns, and a live log of the client's events. */
export function SessionPanel({ events }: { events: LoggedEvent[] }) {
  const status = useLeash((s) => s.status)
  const accessExpiresAt = useLeash((s) => s.accessExpiresAt)
  const sessionExpiresAt = useLeash((s) => s.sessionExpiresAt)
  const now = useNow()
  return (
    <section className="card session" aria-labelledby="session-title">
      <h2 id="session-title">Session</h2>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`status status-${status}`} data-testid="status">
              {status}
            </span>
          </dd>
        </div>
        <div>
          <dt>Access token expires in</dt>
          <dd data-testid="access-countdown">{countdown(accessExpiresAt, now)}</dd>
        </div>
        <div>
          <dt>Session ends in</dt>
          <dd data-testid="session-countdown">{countdown(sessionExpiresAt, now)}</dd>
        </div>
      </dl>
      <h3>Events</h3>
      {events.length === 0 ? (
        <p className="muted">Events appear here as they happen.</p>
      ) : (
        <ol className="log" aria-label="Event log" aria-live="polite">
          {events.map((e) => (
            <li key={e.id}>
              <time>{new Date(e.at).toLocaleTimeString()}</time>
              <strong>{e.name}</strong>
              <span>{e.detail}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
