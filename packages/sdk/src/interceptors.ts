import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios'
import { toLeashError } from './errors.js'
import type { Pipeline } from './pipeline.js'

/**
 * Where an axios answer (a response, or an error) came from: after any redirect the adapter followed (XHR's
 * `responseURL`, or the `responseUrl` follow-redirects puts on Node's response), else where it was sent, as
 * axios resolves it (an absolute url overrides baseURL). A URL axios cannot build is nobody's.
 */
export function answeredFrom(
  http: AxiosInstance,
  { request: r, config }: { request?: Sent; config?: InternalAxiosRequestConfig },
): string | undefined {
  try {
    return r?.responseURL || r?.res?.responseUrl || (config && http.getUri(config))
  } catch {}
}
type Sent = { responseURL?: string; res?: { responseUrl?: string } }

// kept on the config under a plain key: axios copies it when a request is re-issued
type Tracked = InternalAxiosRequestConfig & { leashUsed?: string | null; leashRetried?: boolean }

/** Installs the pipeline (pipeline.ts) as request and response interceptors; returns their removal. */
export function installInterceptors(http: AxiosInstance, p: Pipeline): () => void {
  const request = http.interceptors.request.use(async (config: Tracked) => {
    const token = await p.token(answeredFrom(http, { config }), config.leash)
    if (token) config.headers.set('Authorization', `Bearer ${token}`)
    config.leashUsed = token
    return config
  })
  const response = http.interceptors.response.use(
    async (res: AxiosResponse) => {
      await p.judge(answeredFrom(http, res), { response: res }, null, true)
      return res
    },
    async (error: AxiosError & { config?: Tracked }) => {
      const { config } = error
      // what a redirect brought from elsewhere is that origin's answer, not the API's; a request that was
      // never sent (the request interceptor threw its LeashError) came from nowhere and is rethrown as is
      const verdict = await p.judge(
        answeredFrom(http, error),
        error,
        config?.leashUsed,
        config?.leashRetried,
        config?.leash,
        () => http.request(config!),
      )
      if (verdict) {
        config!.leashRetried = true
        return http.request(config!)
      }
      // the API's 401 that gets no retry is the session's answer: typed
      throw verdict === false && error.response?.status === 401 ? toLeashError(error) : error
    },
  )
  return () => {
    http.interceptors.request.eject(request)
    http.interceptors.response.eject(response)
  }
}
