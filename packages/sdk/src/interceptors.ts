import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios'
import { LeashError, toLeashError } from './errors.js'
import type { Pipeline } from './pipeline.js'

// kept on the config under a plain key: axios copies it when a request is re-issued
type Tracked = InternalAxiosRequestConfig & { leashUsed?: string | null; leashRetried?: boolean }

/** Installs the pipeline (pipeline.ts) as request and response interceptors; returns their removal. */
export function installInterceptors(http: AxiosInstance, p: Pipeline): () => void {
  // resolved as axios will (an absolute url overrides baseURL); a URL axios cannot build is nobody's
  const url = (config?: InternalAxiosRequestConfig) => {
    try {
      return config && http.getUri(config)
    } catch {}
  }
  const request = http.interceptors.request.use(async (config: Tracked) => {
    const token = await p.token(url(config), config.leash)
    if (token) config.headers.set('Authorization', `Bearer ${token}`)
    config.leashUsed = token
    return config
  })
  const response = http.interceptors.response.use(
    async (res: AxiosResponse) => {
      await p.judge(url(res.config), { response: res }, null, true)
      return res
    },
    async (error: AxiosError & { config?: Tracked }) => {
      if (error instanceof LeashError) throw error
      const { config } = error
      const verdict = await p.judge(
        url(config),
        error,
        config?.leashUsed,
        config?.leashRetried,
        config?.leash,
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
