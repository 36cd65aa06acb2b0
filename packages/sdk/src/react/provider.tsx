import { createContext, type ReactNode, useContext } from 'react'
import type { LeashClient } from '../client.js'

const LeashContext = createContext<LeashClient | null>(null)

/** Makes a Leash client available to the hooks below it. */
export function LeashProvider({ client, children }: { client: LeashClient; children?: ReactNode }) {
  return <LeashContext.Provider value={client}>{children}</LeashContext.Provider>
}

/**
 * The client from the nearest `LeashProvider`, for what the state does not hold: requests (`http`),
 * events (`on`), `login`, `logout`.
 * @example const leash = useLeashClient(); useEffect(() => leash.on('expired', showNotice), [leash])
 */
export function useLeashClient(): LeashClient {
  const client = useContext(LeashContext)
  if (!client) throw new Error('useLeash* needs a <LeashProvider> above it')
  return client
}
