import { createContext, type ReactNode, useContext } from 'react'
import type { LeashClient } from '../leash-client.js'

const LeashContext = createContext<LeashClient | null>(null)

/** Makes a Leash client available to the hooks below it. */
export function LeashProvider({ client, children }: { client: LeashClient; children?: ReactNode }) {
  return <LeashContext.Provider value={client}>{children}</LeashContext.Provider>
}

/** The client from the nearest `LeashProvider`. */
export function useLeashClient(): LeashClient {
  const client = useContext(LeashContext)
  if (!client) throw new Error('useLeash* needs a <LeashProvider> above it')
  return client
}
