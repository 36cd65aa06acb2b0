import type {
  ForgotPasswordResponse,
  ResendVerificationResponse,
  ResetPasswordResponse,
  VerifyEmailResponse,
} from '@leash/protocol'
import { type Context, Hono } from 'hono'
import { passwordProblem } from '../auth/password-policy.js'
import type { AppEnv, Deps } from '../context.js'
import { apiError } from '../errors.js'
import { auditContext, auditRefusals } from '../middleware/audit-refusals.js'
import { requireBearer } from '../middleware/bearer.js'
import { readJson } from '../middleware/json-body.js'
import { requests } from '../schemas/requests.js'
import { attemptLimits } from './attempts.js'

const HOUR_MS = 3_600_000

/**
 * /auth/email/* and /auth/password/{forgot,reset}: email verification and password reset by single-use
 * links (auth/recovery.ts). The forgot answer is built before, and without, anything about the account.
 */
export function recoveryRoutes(deps: Deps) {
  const { hasher, config, recovery } = deps
  const { reserve, reserveForIp } = attemptLimits(deps)
  const from = (c: Context<AppEnv>) => auditContext(deps, c)
  const app = new Hono<AppEnv>()

  app.post('/email/verify', auditRefusals(deps, 'email.verify_failed'), async (c) => {
    const { token } = await readJson(c, requests.VerifyEmailRequest)
    await reserveForIp(deps.clientIp(c))
    await recovery.verifyEmail(token, from(c))
    return c.json({ verified: true } satisfies VerifyEmailResponse)
  })

  app.post('/email/resend', requireBearer(deps), async (c) => {
    const { user } = c.get('authenticated')
    if (user.email === null || user.emailVerified) throw apiError('nothing_to_verify')
    await reserve(`resend|${user.id}`, config.recoveryRate, HOUR_MS)
    await recovery.sendVerification({ ...user, email: user.email }, from(c))
    return c.json({ sent: true, user_enabled: true } satisfies ResendVerificationResponse)
  })

  // The same status, headers and body whatever the address: both limits count the address asked for
  // (an account or not) and the caller's, and the request is queued whole; the lookup, the token and
  // the mail happen after the answer has gone.
  app.post('/password/forgot', async (c) => {
    const { email } = await readJson(c, requests.ForgotPasswordRequest)
    await reserveForIp(deps.clientIp(c))
    await reserve(`forgot|${email.toLowerCase()}`, config.recoveryRate, HOUR_MS)
    recovery.requestReset(email, from(c))
    return c.json({ accepted: true } satisfies ForgotPasswordResponse)
  })

  app.post('/password/reset', auditRefusals(deps, 'password.reset_failed'), async (c) => {
    const body = await readJson(c, requests.ResetPasswordRequest)
    await reserveForIp(deps.clientIp(c))
    const user = await recovery.resetTarget(body.token)
    if (!user) throw apiError('invalid_reset_token')
    c.set('auditUser', user.id)
    await reserve(`reset|${user.id}`, config.recoveryRate, HOUR_MS)
    // A guessable password is refused before the link is spent: it still works for a better one.
    const problem = await passwordProblem(body.password, user.username)
    if (problem !== null)
      throw apiError('invalid_request', { details: [{ path: 'password', message: problem }] })
    await recovery.resetPassword(body.token, await hasher.hash(body.password), from(c))
    return c.json({ reset: true } satisfies ResetPasswordResponse)
  })

  return app
}
