import type {
  AdminUserResponse,
  AdminUsersResponse,
  AuditEventsResponse,
  RevokeAllResponse,
} from '@leash/protocol'
import { type Context, Hono } from 'hono'
import type { AppEnv, Deps } from '../context.js'
import { apiError } from '../errors.js'
import { auditContext, auditRefusals } from '../middleware/audit-refusals.js'
import { requireBearer } from '../middleware/bearer.js'
import { readJson } from '../middleware/json-body.js'
import { cursorOf, parseCursor, queries, readQuery } from '../schemas/queries.js'
import { requests } from '../schemas/requests.js'
import type { UserRecord } from '../store/types.js'
import { adminUser } from './respond.js'

const notFound = () => apiError('user_not_found')
const found = (user: UserRecord | null): AdminUserResponse => {
  if (!user) throw notFound()
  return { user: adminUser(user), user_enabled: true }
}
/** The `:id` of the path. No user id holds NUL, and PostgreSQL refuses one in text: no such user. */
const userId = (c: Context) => {
  const id = c.req.param('id') ?? ''
  if (id.includes('\0')) throw notFound()
  return id
}

/** /admin/*: list, disable, enable, revoke, change a role, revoke everyone (see `createAdminActions`). */
export function adminRoutes(deps: Deps) {
  const { store, admin, audit } = deps
  const app = new Hono<AppEnv>()
  // Before the bearer check, so a non-admin's attempt is recorded too; `user` is the target.
  const target = (c: Context<AppEnv>) => {
    const id = /\/users\/([^/]+)/.exec(c.req.path)?.[1]
    const decoded = id === undefined ? undefined : decodeURIComponent(id)
    return decoded?.includes('\0') ? undefined : decoded
  }
  app.use('*', auditRefusals(deps, 'admin.refused', target))
  // Reads take any live admin session; every change, a sign-in within `reauthMaxAge` (step-up).
  const read = requireBearer(deps, { role: 'admin' })
  const change = requireBearer(deps, { role: 'admin', maxAge: deps.config.reauthMaxAge })
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? read : change)(c, next))
  const from = (c: Context<AppEnv>) => auditContext(deps, c)

  app.get('/users', async (c) => {
    const users = await store.listUsers()
    return c.json({ users: users.map(adminUser), user_enabled: true } satisfies AdminUsersResponse)
  })
  app.post('/users/:id/disable', async (c) => c.json(found(await admin.disable(userId(c), from(c)))))
  app.post('/users/:id/enable', async (c) => c.json(found(await admin.enable(userId(c), from(c)))))
  app.post('/users/:id/revoke', async (c) => c.json(found(await admin.revoke(userId(c), from(c)))))
  app.patch('/users/:id', async (c) => {
    const { role } = await readJson(c, requests.RoleChangeRequest)
    return c.json(found(await admin.setRole(userId(c), role, from(c))))
  })
  // The buffer is written first, so the page holds every refusal this instance answered until now.
  app.get('/audit', async (c) => {
    const { user, type, before, limit } = readQuery(c, queries.AuditEventsQuery)
    await audit.flush()
    const page = await store.listEvents({
      limit: limit + 1,
      ...(user !== undefined && { user }),
      ...(type !== undefined && { type }),
      ...(before !== undefined && { before: parseCursor(before) }),
    })
    const events = page.slice(0, limit)
    const next = page.length > limit ? cursorOf(events.at(-1)!) : null
    return c.json({ events, next, user_enabled: true } satisfies AuditEventsResponse)
  })
  app.post('/revoke-all', async (c) => {
    await admin.revokeAll(from(c))
    return c.json({ revoked: 'all', user_enabled: true } satisfies RevokeAllResponse)
  })
  return app
}
