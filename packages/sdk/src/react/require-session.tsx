import type { ReactNode } from 'react'
import { isLive } from '../state.js'
import { useLeash } from './use-leash.js'

/**
 * Renders `children` only while the session is live (`authenticated`, `refreshing`, `expiring`); `pending`
 * while the storage is not read yet (a server render, hydration, an async storage), `fallback` otherwise.
 */
export function RequireSession({
  fallback = null,
  pending = fallback,
  children,
}: {
  fallback?: ReactNode
  pending?: ReactNode
  children?: ReactNode
}) {
  const status = useLeash((s) => s.status)
  return <>{isLive(status) ? children : status === 'pending' ? pending : fallback}</>
}
