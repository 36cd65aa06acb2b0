import type { LeashClient } from '@leash/sdk'
import { createContext, useContext } from 'react'

/** The demo's Leash client, for components that call it (requests, events) rather than read its state. */
export const ClientContext = createContext<LeashClient | null>(null)

export function useClient(): LeashClient {
  const client = useContext(ClientContext)
  if (!client) throw new Error('the demo components need <App client={…}>')
  return client
}
