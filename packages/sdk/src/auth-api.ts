import type { AxiosInstance, AxiosResponse } from 'axios'
import { type LeashError, toLeashError } from './errors.js'
import { answeredFrom } from './interceptors.js'

/**
 * Calls `/auth/*` on the auth instance (never through the app's interceptors). Any answer that says
 * `user_enabled: false`, success or error, goes to `onDisabled`, whose error is thrown. An answer that a
 * redirect brought from an origin `trusts` refuses is nobody's: neither tokens nor a disable, `network_error` (the API did not answer).
 */
export function createAuthRequest(
  auth: AxiosInstance,
  onDisabled: () => LeashError,
  trusts: (url: string) => boolean,
): AuthRequest {
  const read = (res?: AxiosResponse) => {
    // what a redirect brought from another origin is not the API's answer: as if it never came (a captive
    // portal's login page, a hijacked route), so neither its tokens nor its disable are believed
    if (res && !trusts(answeredFrom(auth, res)!)) throw toLeashError(res)
    if ((res?.data as { user_enabled?: boolean } | undefined)?.user_enabled === false) throw onDisabled()
  }
  return <T>(path: string, data?: object, token?: string | null, method = 'post') =>
    auth
      .request<T>({ url: path, method, data, headers: token ? { Authorization: `Bearer ${token}` } : {} })
      .then(
        (res) => {
          read(res)
          return res.data
        },
        (e) => {
          read(e.response)
          throw toLeashError(e)
        },
      )
}

/**
 * Sends `data` to an `/auth/*` path (`method` default `'post'`; `'get'` and `'delete'` without data), with a
 * bearer token when given; resolves with the response body.
 */
export type AuthRequest = <T>(
  path: string,
  data?: object,
  token?: string | null,
  method?: 'post' | 'get' | 'delete',
) => Promise<T>
