import type { AxiosInstance } from 'axios'
import { type LeashError, toLeashError } from './errors.js'

/**
 * Calls `/auth/*` on the auth instance (never through the app's interceptors). Any answer that says
 * `user_enabled: false`, success or error, goes to `onDisabled`, whose error is thrown.
 */
export function createAuthRequest(auth: AxiosInstance, onDisabled: () => LeashError): AuthRequest {
  return async <T>(path: string, data?: object, token?: string | null, method = 'post'): Promise<T> => {
    try {
      const { data: body } = await auth.request<T>({
        url: path,
        method,
        data,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      })
      if ((body as { user_enabled?: boolean }).user_enabled === false) throw onDisabled()
      return body
    } catch (e) {
      const body = (e as { response?: { data?: { user_enabled?: boolean } } }).response?.data
      if (body?.user_enabled === false) throw onDisabled()
      throw toLeashError(e)
    }
  }
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
