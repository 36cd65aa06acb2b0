import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios'
import { LeashError, toLeashError } from './errors.js'

/** Per-request options: `leash.http.get(url, { leash: { background: true } })`. */
export interface LeashRequestOptions {
  /** Send without a token and leave the session alone (public endpoints). */
  skipAuth?: boolean
  /** Not the user's doing (polling): does not count as activity, so an idle session stays idle. */
  background?: boolean
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Leash options for this request. */
    leash?: LeashRequestOptions
  }
}

/** What the interceptors ask of the client. */
export interface InterceptorDeps {
  /** The token to send (refreshing first if due), or null without a live session. */
  token(background: boolean): Promise<string | null>
  /** After a 401 on `used`: resolves once a newer token is in place, or throws the error to reject with. */
  recover(used: string, background: boolean, error: LeashError): Promise<void>
  /** A response said `user_enabled: false`: disable the session, return the error to reject with. */
  disabled(): LeashError
  /** Whether a request to this absolute or relative URL is the API's (see origins.ts). */
  trusts(url: string): boolean
}

// kept on the config under a plain key: axios copies it when a request is re-issued
type Tracked = InternalAxiosRequestConfig & { leashUsed?: string | null; leashRetried?: boolean }

const userDisabled = (data: unknown) => (data as { user_enabled?: unknown } | null)?.user_enabled === false

/** Installs the request and response interceptors; returns their removal. */
export function installInterceptors(http: AxiosInstance, deps: InterceptorDeps): () => void {
  // resolved as axios will (an absolute url overrides baseURL); a URL axios cannot build is nobody's
  const trusted = (config?: InternalAxiosRequestConfig) => {
    try {
      return !!config && deps.trusts(http.getUri(config))
    } catch {
      return false
    }
  }
  const request = http.interceptors.request.use(async (config: Tracked) => {
    // another origin gets no token, starts no refresh and counts as no activity: it goes out untouched
    if (config.leash?.skipAuth || !trusted(config)) return config
    const token = await deps.token(!!config.leash?.background)
    if (token) config.headers.set('Authorization', `Bearer ${token}`)
    config.leashUsed = token
    return config
  })
  const response = http.interceptors.response.use(
    (res: AxiosResponse) => {
      if (userDisabled(res.data) && trusted(res.config)) throw deps.disabled()
      return res
    },
    async (error: AxiosError & { config?: Tracked }) => {
      if (error instanceof LeashError) throw error
      const { config, response } = error
      // what another origin says about our session (401, user_enabled: false) is not believed
      if (!trusted(config)) throw error
      if (userDisabled(response?.data)) throw deps.disabled()
      if (response?.status !== 401 || !config) throw error
      const leashError = toLeashError(error)
      if (!config.leashUsed || config.leashRetried || config.leash?.skipAuth) throw leashError
      config.leashRetried = true
      await deps.recover(config.leashUsed, !!config.leash?.background, leashError)
      return http.request(config)
    },
  )
  return () => {
    http.interceptors.request.eject(request)
    http.interceptors.response.eject(response)
  }
}
