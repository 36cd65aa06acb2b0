import type { ReactNode } from 'react'
import { isLive } from '../state.js'
import { useLeash } from './use-leash.js'

/** Renders `children` only while the session is live (`authenticated`, `refreshing`, `expiring`). */
export function RequireSession({
  fallback = null,
  children,
}: {
  fallback?: ReactNode
  children?: ReactNode
}) {
  const live = useLeash((s) => isLive(s.status))
  return <>{live ? children : fallback}</>
}
