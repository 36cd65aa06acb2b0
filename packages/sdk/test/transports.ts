// The two ways an app sends requests through Leash, behind one shape, so the behaviour tests run against both
// (`describe.each(transports)`): leash.http (axios) and leash.fetch. A fetch answer that is not ok is thrown
// as an `HttpFailure` carrying the server's code, as a TanStack Query `queryFn` on leash.fetch would throw it.
import type { LeashClient, LeashRequestOptions } from '../src/index.js'

/** What a transport answered: the status and the parsed body. */
export interface Reply {
  status: number
  data: unknown
}

/** A fetch answer that was not ok (never a `LeashError`: those come from the session). */
export class HttpFailure extends Error {
  readonly code: string | undefined
  constructor(
    readonly status: number,
    readonly data: unknown,
  ) {
    super(`HTTP ${status}`)
    this.code = (data as { error?: { code?: string } } | null)?.error?.code
  }
}

export interface Transport {
  name: string
  get(leash: LeashClient, url: string, options?: LeashRequestOptions): Promise<Reply>
}

/** A queryFn-shaped reader over leash.fetch: the body as JSON, or an `HttpFailure`. */
export async function viaFetch(leash: LeashClient, url: string, options?: LeashRequestOptions) {
  const res = await leash.fetch(url, options && { leash: options })
  const data: unknown = await res.json().catch(() => null)
  if (!res.ok) throw new HttpFailure(res.status, data)
  return { status: res.status, data }
}

export const transports: Transport[] = [
  {
    name: 'leash.http',
    get: async (leash, url, options) => {
      const { status, data } = await leash.http.get(url, options && { leash: options })
      return { status, data }
    },
  },
  { name: 'leash.fetch', get: viaFetch },
]
