import { useEffect, useState } from 'react'

/** The time, re-read every `ms` milliseconds, for countdowns. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(id)
  }, [ms])
  return now
}

/** "4:05" for 245 seconds; "—" when there is no deadline. */
export function countdown(until: number | null, now: number): string {
  if (until === null) return '—'
  const s = Math.max(0, Math.ceil((until - now) / 1000))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** "just now", "5 min ago", "3 h ago", else the date: when something happened, for a list of devices. */
export function ago(iso: string, now: number): string {
  const at = Date.parse(iso)
  const minutes = Math.floor((now - at) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ago`
  return new Date(at).toLocaleDateString()
}
