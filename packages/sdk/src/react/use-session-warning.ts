import { useEffect, useState } from 'react'
import type { EndReason } from '../state.js'
import { useLeashClient } from './provider.js'
import { useLeash } from './use-leash.js'

/** What `useSessionWarning` returns: whether the warning is open, its countdown, and the two ways out. */
export interface SessionWarningView {
  open: boolean
  secondsLeft: number
  reason: EndReason | null
  extend: () => Promise<void>
  logout: () => Promise<void>
}

/**
 * The session warning with a per-second countdown.
 * @example const { open, secondsLeft, extend } = useSessionWarning()
 */
export function useSessionWarning(): SessionWarningView {
  const client = useLeashClient()
  const warning = useLeash((s) => s.warning)
  const [now, setNow] = useState(client.clock)
  useEffect(() => {
    if (!warning) return
    setNow(client.clock())
    const id = setInterval(() => setNow(client.clock()), 1000)
    return () => clearInterval(id)
  }, [warning, client])
  return {
    open: !!warning,
    secondsLeft: warning ? Math.max(0, Math.ceil((warning.endsAt - now) / 1000)) : 0,
    reason: warning?.reason ?? null,
    extend: client.extend,
    logout: client.logout,
  }
}
