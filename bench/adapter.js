// An axios adapter that hands each request to an in-process `fetch(Request) → Response` (a Hono app's
// `app.fetch`): the whole HTTP semantics of the server, without sockets.
import { AxiosError, AxiosHeaders } from 'axios'

/** The adapter, and a count of requests per path. */
export function fetchAdapter(fetchFn, origin = 'http://leash.bench') {
  const counts = new Map()
  const adapter = async (config) => {
    const url = new URL(config.url ?? '', config.baseURL ?? origin)
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1)
    const method = (config.method ?? 'get').toUpperCase()
    const headers = AxiosHeaders.from(config.headers).toJSON()
    const response = await fetchFn(
      new Request(url, {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : config.data,
      }),
    )
    const text = await response.text()
    let data = text
    try {
      data = JSON.parse(text)
    } catch {}
    const res = {
      data,
      status: response.status,
      statusText: response.statusText,
      headers: Object.fromEntries(response.headers),
      config,
      request: {},
    }
    if (!config.validateStatus || config.validateStatus(res.status)) return res
    throw new AxiosError(
      `Request failed with status code ${res.status}`,
      res.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
      config,
      res.request,
      res,
    )
  }
  return { adapter, count: (path) => counts.get(path) ?? 0 }
}
