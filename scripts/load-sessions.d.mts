import type http from 'node:http'

export interface LoadOptions {
  /** The instances' ports; each request goes to one of them at random. */
  ports: () => number[]
  username: (i: number) => string
  password: (i: number) => string
  /** Seconds before expiry that a session refreshes, as the SDK schedules it. */
  refreshBefore: number
  /** Mean pause between one session's requests (ms). */
  thinkMs: number
  agent?: http.Agent
  /** Called with every answer; a request that got none has `status: 'network'` and its `error`. */
  onAnswer?: (answer: {
    method: string
    path: string
    status: number | 'network'
    ms: number
    error?: Error & { code?: string }
  }) => void
}

export interface LoadCounts {
  requests: number
  notes: number
  refreshes: number
  logins: number
  expiredThenRefreshed: number
  staleSocketRetries: number
  errors: number
  signedOut: number
  byStatus: Record<string, number>
}

export interface Load {
  counts: LoadCounts
  /**
   * Refreshes per session index: `due` (scheduled), `expired` (after a 401 token_expired: it expired in
   * flight) or `retired` (after a 401 token_expired whose challenge says the signing key was retired).
   */
  refreshesOf: Map<number, Array<'due' | 'expired' | 'retired'>>
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown },
  ): Promise<{
    status: number
    body: Record<string, unknown>
    headers?: Record<string, string | string[] | undefined>
  }>
  session(i: number): Promise<void>
  stop(): void
  close(): void
}

export function createLoad(options: LoadOptions): Load
