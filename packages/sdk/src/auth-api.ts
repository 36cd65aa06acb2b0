import type { AxiosInstance } from 'axios'
import { type LeashError, toLeashError } from './errors.js'

/**
 * POSTs to `/auth/*` on the auth instance (never through the app's interceptors). Any answer that says
 * `user_enabled: false`, success or error, goes to `onDisabled`, whose error is thrown.
 */
export function createAuthPost(auth: AxiosInstance, onDisabled: () => LeashError): AuthPost {
  return async function authPost<T>(path: string, data: object, token?: string | null): Promise<T> {
    try {
      const res = await auth.post<T>(
        path,
        data,
        token ? { headers: { Authorization: `Bearer ${token}` } } : {},
      )
      if ((res.data as { user_enabled?: boolean }).user_enabled === false) throw onDisabled()
      return res.data
    } catch (e) {
      const body = (e as { response?: { data?: { user_enabled?: boolean } } }).response?.data
      if (body?.user_enabled === false) throw onDisabled()
      throw toLeashError(e)
    }
  }
}

/** POSTs `data` to an `/auth/*` path, with a bearer token when given; resolves with the response body. */
export type AuthPost = <T>(path: string, data: object, token?: string | null) => Promise<T>
