/**
 * How the refresh token travels, decided once from the `refreshTransport` option: `'cookie'` (HttpOnly,
 * sent by the browser with the auth instance's credentials) or `'body'` (kept in storage, sent in JSON).
 */
export function refreshTransport(mode: 'cookie' | 'body' = 'cookie') {
  const inBody = mode === 'body'
  return {
    /** Whether `/auth/*` requests carry cookies: the refresh cookie's way there. */
    credentials: !inBody,
    /** A request for tokens (login, register, password change): says how the refresh token is to come back. */
    ask: <T extends object>(body: T) => ({ ...body, refresh_transport: mode }),
    /** What a request that spends or revokes `refreshToken` carries: it in the body mode, else nothing. */
    carry: (refreshToken?: string) => (inBody && refreshToken ? { refresh_token: refreshToken } : {}),
  }
}

/** The decisions of one `refreshTransport` option. */
export type RefreshTransport = ReturnType<typeof refreshTransport>
