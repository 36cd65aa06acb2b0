import type { AuditEventType, ErrorCode } from '@leash/protocol'
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AuditContext } from '../auth/audit.js'
import { keptUserAgent } from '../auth/sessions.js'
import type { AppEnv, Deps } from '../context.js'
import { ApiError, ServerBusyError, UnstorableTextError } from '../errors.js'

/**
 * The code a failed request was answered with, when it is a refusal worth recording; null for a store
 * outage or a bug (which the log has), and for the codes the change's own transaction recorded (reuse).
 */
export function refusalCode(error: unknown): ErrorCode | null {
  if (error instanceof ApiError) return error.code === 'refresh_token_reused' ? null : error.code
  if (error instanceof ServerBusyError) return 'server_busy'
  if (error instanceof UnstorableTextError) return 'invalid_request'
  return null
}

/** Where the request came from, and who sent it once the bearer check knows. */
export const auditContext = (deps: Pick<Deps, 'clientIp'>, c: Context<AppEnv>): AuditContext => ({
  address: deps.clientIp(c) ?? null,
  userAgent: keptUserAgent(c.req.header('user-agent')),
  actor: c.get('authenticated')?.user.id ?? null,
})

/**
 * Records the refusal a route answered, as `type` with its code, through the audit buffer (a refusal
 * changes nothing, so nothing waits on its write). `target` names the user a refusal concerns when it is
 * not the caller (an admin route's `:id`).
 */
export const auditRefusals = (
  deps: Pick<Deps, 'audit' | 'clientIp'>,
  type: AuditEventType,
  target?: (c: Context<AppEnv>) => string | undefined,
) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next()
    const code = c.error === undefined ? null : refusalCode(c.error)
    if (code === null) return
    const context = auditContext(deps, c)
    const authenticated = c.get('authenticated')
    const user = target?.(c) ?? c.get('auditUser') ?? authenticated?.user.id ?? null
    const session = c.get('auditSession') ?? authenticated?.session.id ?? null
    deps.audit.record(deps.audit.event(type, context, { user, session, code }))
  })
