import type {
  LogoutResponse,
  MeResponse,
  RegisterResponse,
  RevokeSessionResponse,
  SessionsResponse,
} from '@leash/protocol'
import { type Context, Hono } from 'hono'
import { addressBudget } from '../auth/ip.js'
import { passwordProblem } from '../auth/password-policy.js'
import { reauthenticationRequired, refusalError, unauthorized, userDisabled } from '../auth/refusal.js'
import type { AppEnv, Deps } from '../context.js'
import { ApiError, apiError, ConflictError } from '../errors.js'
import { auditContext, auditRefusals } from '../middleware/audit-refusals.js'
import { requireBearer } from '../middleware/bearer.js'
import { readJson } from '../middleware/json-body.js'
import { requireSameOrigin } from '../middleware/same-origin.js'
import { requests } from '../schemas/requests.js'
import { signedInWithin } from '../tokens/claims.js'
import { randomId, randomToken } from '../tokens/random.js'
import { attemptLimits } from './attempts.js'
import { recoveryRoutes } from './recovery.js'
import { readRefreshCookie } from './refresh-cookie.js'
import {
  accountUser,
  clearRefreshCookie,
  publicUser,
  sessionView,
  signedInSession,
  tokenResponse,
} from './respond.js'

const invalidCredentials = () => apiError('invalid_credentials')

/**
 * Refuses a new password the policy (auth/password-policy.ts) finds too guessable: 400 `invalid_request`
 * naming the field, as a schema failure would.
 */
async function requireStrongPassword(field: string, password: string, username: string) {
  const problem = await passwordProblem(password, username)
  if (problem !== null) throw apiError('invalid_request', { details: [{ path: field, message: problem }] })
}
const userAgent = (c: Context) => c.req.header('user-agent')

/**
 * The `:id` of /sessions/:id. No session id holds NUL, and PostgreSQL refuses one in text: no such
 * session, the answer another user's id or an ended one gets too.
 */
const sessionId = (c: Context) => {
  const id = c.req.param('id') ?? ''
  if (id.includes('\0')) throw apiError('session_not_found')
  return id
}

/** Logout's answer: a token that expires a second after issue, naming the ended session. */
const farewellResponse = (farewell: { accessToken: string; expiresIn: number }): LogoutResponse => ({
  access_token: farewell.accessToken,
  token_type: 'Bearer',
  expires_in: farewell.expiresIn,
  user_enabled: true,
})

/**
 * /auth/*: register, login, refresh, logout, logout-all, reauthenticate, password change, me, the caller's
 * sessions; and email verification and password reset (routes/recovery.ts).
 */
export function authRoutes(deps: Deps) {
  const { store, hasher, config, limiter, sessions, authenticate, now, audit } = deps
  const refused = (type: Parameters<typeof auditRefusals>[1]) => auditRefusals(deps, type)
  const from = (c: Context<AppEnv>) => auditContext(deps, c)
  const bearer = requireBearer(deps)
  // Step-up: the sensitive routes take only a sign-in (or reauthentication) within `reauthMaxAge`.
  const recentBearer = requireBearer(deps, { maxAge: config.reauthMaxAge })
  const stale = reauthenticationRequired(config.reauthMaxAge)
  // The endpoints a browser drives with a cookie or with the credentials it carries: a cross-site page must
  // not make it refresh, sign out, or sign in (login CSRF: into an account the attacker holds).
  const sameOrigin = requireSameOrigin(config)
  // Compared against when the username is unknown, so both failures take one hash's time. A hash the
  // gate refused (503) is not kept, or every later unknown username would answer 503 too.
  let decoy: Promise<string> | undefined
  const checkPassword = (given: string, stored: string | undefined) => {
    if (stored !== undefined) return hasher.verify(given, stored)
    decoy ??= hasher.hash(randomId()).catch((error: unknown) => {
      decoy = undefined
      throw error
    })
    return decoy.then((hash) => hasher.verify(given, hash)).then(() => false)
  }
  // Every login and register from one address counts, whatever the username: many usernames cannot buy
  // many hashes.
  const { reserve, reserveForIp } = attemptLimits(deps)

  const app = new Hono<AppEnv>()

  app.post('/register', refused('register.failed'), sameOrigin, async (c) => {
    const body = await readJson(c, requests.RegisterRequest)
    if (!config.allowRegistration) throw apiError('registration_closed')
    if (config.requireVerifiedEmail && body.email === undefined)
      throw apiError('invalid_request', { details: [{ path: 'email', message: 'is required here' }] })
    await reserveForIp(deps.clientIp(c))
    // After the budget: the estimate costs the event loop some milliseconds.
    await requireStrongPassword('password', body.password, body.username)
    try {
      const id = randomId()
      const events = [audit.event('user.registered', from(c), { user: id, actor: id })]
      const user = await store.createUser(
        {
          id,
          username: body.username,
          passwordHash: await hasher.hash(body.password),
          role: 'user',
          enabled: true,
          secret: randomToken(32),
          createdAt: now(),
          email: body.email ?? null,
          emailVerified: false,
        },
        events,
      )
      audit.committed(events)
      await deps.recovery.welcome(user, from(c))
      return c.json({ user: publicUser(user) } satisfies RegisterResponse, 201)
    } catch (error) {
      // An email answers as a username does: both are unique, and the per-address limit bounds the asking.
      if (error instanceof ConflictError)
        throw apiError(error.what === 'email' ? 'email_taken' : 'username_taken')
      throw error
    }
  })

  app.post('/login', refused('login.failed'), sameOrigin, async (c) => {
    const body = await readJson(c, requests.LoginRequest)
    const ip = deps.clientIp(c)
    await reserveForIp(ip)
    const account = body.username.toLowerCase()
    const source = ip === undefined ? 'unknown' : addressBudget(ip)
    const key = `login|${account}|${source}`
    await reserve(key, config.loginRate)
    // Summed over every address, so many addresses do not buy many guesses at one account; an address
    // the account signed in from before is not refused by it (no lockout of the owner's own devices).
    const verdict = await limiter.attemptAccount(account, source, config.accountRate, now())
    if (!verdict.ok)
      throw apiError('rate_limited', { headers: { 'Retry-After': String(verdict.retryAfter) } })
    const user = await store.findUserByUsername(body.username)
    if (user) c.set('auditUser', user.id)
    if (!(await checkPassword(body.password, user?.passwordHash)) || !user) throw invalidCredentials()
    await limiter.reset(key)
    await limiter.signedIn(account, source, now())
    if (!user.enabled) throw userDisabled()
    // Only once the password is right: a wrong one never learns the account's state.
    if (config.requireVerifiedEmail && !user.emailVerified) throw apiError('email_not_verified')
    return tokenResponse(
      c,
      await sessions.start(user, body.refresh_transport ?? 'cookie', userAgent(c), from(c)),
      config,
    )
  })

  app.post('/refresh', refused('refresh.failed'), sameOrigin, async (c) => {
    const body = await readJson(c, requests.RefreshRequest)
    const cookie = readRefreshCookie(deps.cookie(c), config)
    const token = body.refresh_token ?? cookie
    if (!token) throw apiError('invalid_refresh_token')
    try {
      // A refusal's event names the session (and user) the token was of, when it was one.
      const seen = (s: { id: string; userId: string }) => {
        c.set('auditSession', s.id)
        c.set('auditUser', s.userId)
      }
      const issued = await sessions.refresh(token, from(c), seen)
      deps.metrics.refresh(null)
      return tokenResponse(c, issued, config)
    } catch (error) {
      if (error instanceof ApiError && body.refresh_token === undefined) clearRefreshCookie(c, config)
      throw error
    }
  })

  app.post('/logout', refused('logout.failed'), sameOrigin, async (c) => {
    const body = await readJson(c, requests.RefreshRequest)
    const cookie = readRefreshCookie(deps.cookie(c), config)
    const refreshToken = body.refresh_token ?? cookie
    const authorization = deps.authorization(c)
    if (!authorization && !refreshToken) throw unauthorized('missing_token')
    let authenticated = null
    if (authorization) {
      // A live bearer only: an expired one (say, leaked in a log) must not be able to end a live session.
      // Its holder signs out with the refresh token, as the SDK does.
      const result = await authenticate(authorization)
      if (result.ok) authenticated = result
      // A stale bearer (expired, or of an older session) must not keep the refresh token's live session alive.
      else if (!refreshToken || result.status !== 401) throw refusalError(result)
    }
    // Without a bearer, spending the refresh token ends its session in the step that judges it.
    const { user, session } = authenticated ?? (await sessions.logoutWithRefreshToken(refreshToken!, from(c)))
    if (authenticated) {
      const fields = { user: user.id, actor: user.id, session: session.id }
      await sessions.end(session.id, 'logout', [audit.event('session.signed_out', from(c), fields)])
    }
    clearRefreshCookie(c, config)
    return c.json(farewellResponse(await sessions.farewell(user, session)))
  })

  app.post('/logout-all', refused('logout.failed'), sameOrigin, bearer, async (c) => {
    const { user, session } = c.get('authenticated')
    const fields = { user: user.id, session: session.id }
    const events = [audit.event('user.signed_out_everywhere', from(c), fields)]
    const rotated = await sessions.rotateUser(user.id, {}, 'logout', { audit: events })
    clearRefreshCookie(c, config)
    return c.json(farewellResponse(await sessions.farewell(rotated ?? user, session)))
  })

  // Step-up: the password again, in the session the bearer names; the session's sign-in time becomes now.
  // A stolen access token must not make it a password oracle: the address's budget and the user's own
  // (shared with the password change, whichever address tries) count every try; a wrong one is recorded.
  app.post('/reauthenticate', refused('reauthentication.failed'), bearer, async (c) => {
    const { user, session } = c.get('authenticated')
    const { password } = await readJson(c, requests.ReauthenticateRequest)
    await reserveForIp(deps.clientIp(c))
    const key = `password|${user.id}`
    await reserve(key, config.loginRate)
    if (!(await hasher.verify(password, user.passwordHash))) throw invalidCredentials()
    await limiter.reset(key)
    return tokenResponse(c, await sessions.reauthenticate(user, session.id, from(c)), config)
  })

  // A recent sign-in first: a stale token never reaches the password check, so it cannot guess here either.
  app.post('/password', refused('password.change_failed'), recentBearer, async (c) => {
    const { user, session } = c.get('authenticated')
    const body = await readJson(c, requests.PasswordChangeRequest)
    const key = `password|${user.id}`
    await reserve(key, config.loginRate)
    if (!(await hasher.verify(body.current_password, user.passwordHash))) throw invalidCredentials()
    await limiter.reset(key)
    await requireStrongPassword('new_password', body.new_password, user.username)
    const events = [audit.event('password.changed', from(c), { user: user.id, session: session.id })]
    const changed = await sessions.rotateUser(
      user.id,
      { passwordHash: await hasher.hash(body.new_password) },
      'revoked',
      { audit: events },
    )
    if (!changed) throw unauthorized('invalid_token')
    const transport = body.refresh_transport ?? session.transport
    const issued = await sessions.start(changed, transport, userAgent(c), from(c), false)
    return tokenResponse(c, issued, config)
  })

  app.get('/me', bearer, (c) => {
    const { user, session } = c.get('authenticated')
    return c.json({
      user: accountUser(user),
      session: sessionView(session, config.idleTimeout, now()),
      user_enabled: true,
    } satisfies MeResponse)
  })

  app.get('/sessions', bearer, async (c) => {
    const { user, session } = c.get('authenticated')
    const live = await sessions.list(user.id)
    return c.json({
      sessions: live.map((s) => signedInSession(s, session.id)),
      user_enabled: true,
    } satisfies SessionsResponse)
  })

  // Bearer only (a cookie alone cannot drive it, so no same-origin check), and only the caller's own:
  // another user's session, an unknown id and an ended one get the same 404. Signing out another device
  // takes a recent sign-in (a stolen token must not lock the owner out); signing out this one does not.
  app.delete('/sessions/:id', refused('session.revoke_failed'), bearer, async (c) => {
    const { user, session, claims } = c.get('authenticated')
    const id = sessionId(c)
    if (id !== session.id && !signedInWithin(claims, now() / 1000, config.reauthMaxAge))
      throw refusalError(stale)
    if (!(await sessions.revoke(user.id, id, from(c)))) throw apiError('session_not_found')
    return c.json({
      revoked: id,
      current: id === session.id,
      user_enabled: true,
    } satisfies RevokeSessionResponse)
  })

  app.route('/', recoveryRoutes(deps))
  return app
}
