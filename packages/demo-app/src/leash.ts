import { createLeashClient } from '@leash/sdk'

const ms = (value: string | undefined, fallback: number) => (value ? Number(value) : fallback)

/**
 * The demo's one client. `npm start` runs the server with short timeouts, so the warning and the refresh
 * can be watched: the warning opens 30 s before the session ends, and an active user's token is refreshed
 * 10 s before it expires. The end-to-end tests shorten both through VITE_LEASH_* variables.
 */
export const leash = createLeashClient({
  baseURL: '/',
  refreshTransport: 'cookie',
  warnBefore: ms(import.meta.env.VITE_LEASH_WARN_BEFORE_MS, 30_000),
  refreshMargin: ms(import.meta.env.VITE_LEASH_REFRESH_MARGIN_MS, 10_000),
})
