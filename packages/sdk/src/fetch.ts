import type { LeashRequestOptions, Pipeline } from './pipeline.js'

/** `fetch`, plus `init.leash` for Leash's per-request options. */
export type LeashFetch = (
  input: RequestInfo | URL,
  init?: RequestInit & { leash?: LeashRequestOptions },
) => Promise<Response>

/**
 * `leash.fetch`: the pipeline (pipeline.ts) around `fetch`. Relative URLs resolve as `leash.http`'s do
 * (`resolve`: against `baseURL`, then the page). The server's answers resolve as `fetch`'s do, errors
 * included; it rejects with a `LeashError` only where the session decides (disabled, no refresh possible).
 */
export function createLeashFetch(
  p: Pipeline,
  resolve: (url: string) => string,
  send: typeof fetch = (...a) => fetch(...a),
): LeashFetch {
  const leashFetch: LeashFetch = async (input, init) => {
    const o = init?.leash
    const first = new Request(input instanceof Request ? input : resolve(String(input)), init)
    // Each try sends a copy of a clone, with the headers set at construction: `first` keeps the body for the
    // retry, and undici (Node's fetch) loses headers of a clone changed in place once they are copied again
    // (as msw does), so none is changed in place.
    const own = [...first.headers]
    for (let retried = false; ; retried = true) {
      const used = await p.token(first.url, o)
      const headers = new Headers(own)
      if (used) headers.set('Authorization', `Bearer ${used}`)
      const req = new Request(first.clone(), { headers })
      const res = await send(req)
      // where the answer came from: after a redirect (fetch follows them), not the API's
      const from = res.url || req.url
      // only an answer of the API's is read (as JSON) for what it says about the session (no content-type
      // tests as "null")
      const data =
        p.trusts(from) && /json/.test(res.headers.get('content-type')!)
          ? await res
              .clone()
              .json()
              .catch(() => null)
          : null
      const again = () => leashFetch(first, { leash: o })
      if (!(await p.judge(from, { response: { status: res.status, data } }, used, retried, o, again)))
        return res
    }
  }
  return leashFetch
}
