import type { LeashClient, LeashEvents } from '@leash/sdk'
import { useEffect, useState } from 'react'

export interface LoggedEvent {
  id: number
  at: number
  name: keyof LeashEvents
  detail: string
}

const NAMES: Array<keyof LeashEvents> = [
  'login',
  'refreshed',
  'warning',
  'extended',
  'expired',
  'loggedOut',
  'disabled',
  'refreshFailed',
]

function describe(name: keyof LeashEvents, payload: unknown): string {
  const p = payload as Record<string, unknown>
  const remote = p.remote ? ' (another tab)' : ''
  switch (name) {
    case 'warning':
      return `session ends (${String(p.reason)}) at ${new Date(p.endsAt as number).toLocaleTimeString()}`
    case 'expired':
      return `reason: ${String(p.reason)}`
    case 'refreshFailed':
      return String((p.error as { code?: string })?.code ?? '')
    default:
      return remote
  }
}

let next = 0

/** The client's events, newest first, for the session panel's live log. */
export function useEventLog(client: LeashClient, max = 50): LoggedEvent[] {
  const [events, setEvents] = useState<LoggedEvent[]>([])
  useEffect(() => {
    const offs = NAMES.map((name) =>
      client.on(name, (payload: unknown) =>
        setEvents((list) =>
          [{ id: next++, at: Date.now(), name, detail: describe(name, payload) }, ...list].slice(0, max),
        ),
      ),
    )
    return () => {
      for (const off of offs) off()
    }
  }, [client, max])
  return events
}
