import type { LogoutResponse } from '@leash/protocol'
import { type LeashError, toLeashError } from './errors.js'
import type { Session, SessionDeps } from './session.js'

/**
 * Signs out: the session ends here at once (a failed call still ends it locally), then the server is
 * told, and the 1-second token it returns replaces the old one, here and in every tab. `everywhere` ends
 * every session of the user (it needs a valid access token, so an expired one is refreshed first) and
 * rejects if the server call failed.
 */
export async function logout(
  session: Session,
  deps: Pick<SessionDeps, 'authRequest' | 'saved' | 'clock' | 'refreshTransport' | 'post' | 'emit' | 'log'>,
  everywhere: boolean,
): Promise<void> {
  const { clock, saved } = deps
  const record = session.record()
  let token = record && record.accessExpiresAt > clock() ? record.accessToken : null
  deps.log('logout', everywhere)
  if (everywhere && record && !token) token = await session.refresh('logout').catch(() => null)
  const refreshToken = session.record()?.refreshToken ?? record?.refreshToken
  session.end('loggedOut', null)
  saved.set({ loggedOut: true })
  const signal = session.signal()
  const sentAt = clock()
  let failure: LeashError | undefined
  let farewell: { accessToken: string; accessExpiresAt: number } | undefined
  try {
    const body = await deps.authRequest<LogoutResponse>(
      everywhere ? '/auth/logout-all' : '/auth/logout',
      deps.refreshTransport === 'body' && refreshToken ? { refresh_token: refreshToken } : {},
      token,
    )
    farewell = { accessToken: body.access_token, accessExpiresAt: sentAt + body.expires_in * 1000 }
  } catch (e) {
    failure = toLeashError(e)
  }
  if (signal.aborted) return // a sign-in (here or in another tab) came first
  if (farewell) {
    session.farewell(farewell)
    saved.set({ loggedOut: true, ...farewell })
  }
  deps.post({ type: 'loggedOut', ...farewell })
  deps.emit('loggedOut', { remote: false })
  if (everywhere && failure) throw failure
}
