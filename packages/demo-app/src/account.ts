import type { LeashClient } from '@leash/sdk'
import { createLeashAccount, type LeashAccount } from '@leash/sdk/account'
import { useLeashClient } from '@leash/sdk/react'
import axios from 'axios'
import { useMemo } from 'react'

/** One field the server refused, and why (its `invalid_request` details). */
interface Detail {
  path: string
  message: string
}

/** The `details` of an error body (`{ error: { details } }`), as text or parsed; [] for anything else. */
function refusedFields(body: unknown): Detail[] {
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body
    const details = (parsed as { error?: { details?: unknown } } | null)?.error?.details
    return Array.isArray(details) ? (details as Detail[]) : []
  } catch {
    return []
  }
}

/** The account calls, and why the server refused the last one's password, in its own words. */
export interface DemoAccount extends LeashAccount {
  /** The server's message for the password of the last call it refused `invalid_request`, or null. */
  passwordProblem(): string | null
}

/**
 * `@leash/sdk/account` over the client's transport. A `LeashError` carries the code only (the core's budget
 * has no room for the details), so the server's reason for a weak password ("is too common…") is read
 * here, off the refused response, for the reset page to show it.
 */
export function createDemoAccount(client: LeashClient): DemoAccount {
  const send = axios.getAdapter(client.http.defaults.adapter)
  let details: Detail[] = []
  const http = axios.create({
    baseURL: client.http.defaults.baseURL ?? '/',
    async adapter(config) {
      details = []
      try {
        return await send(config)
      } catch (error) {
        // the raw body: axios parses JSON after the adapter
        const raw = (error as { response?: { data?: unknown } }).response?.data
        details = refusedFields(raw)
        throw error
      }
    },
  })
  return {
    ...createLeashAccount({ http }),
    passwordProblem: () => details.find((d) => d.path === 'password')?.message ?? null,
  }
}

/** The account calls for the provider's client. */
export function useAccount(): DemoAccount {
  const client = useLeashClient()
  return useMemo(() => createDemoAccount(client), [client])
}
