import type { ReactNode } from 'react'
import { useLeash } from './use-leash.js'

/** Renders `children` only while the session is live (`authenticated`, `refreshing`, `expiring`). */
export function RequireSession({
  fallback = null,
  children,
}: {
  fallback?: ReactNode
  children?: ReactNode
}) {
  const live = useLeash(
    (s) => s.status === 'authenticated' || s.status === 'refreshing' || s.status === 'expiring',
  )
  return <>{live ? children : fallback}</>
}
