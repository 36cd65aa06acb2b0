import { type Context, Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv, Deps } from '../context.js'
import { apiError } from '../errors.js'
import { requireAdmin, requireBearer } from '../middleware/bearer.js'
import { readJson } from '../middleware/json-body.js'
import type { UserRecord } from '../store/types.js'
import { adminUser } from './respond.js'

const rolePatch = z.object({ role: z.enum(['user', 'admin']) })

const notFound = () => apiError('user_not_found')
const found = (user: UserRecord | null) => {
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
  const { store, admin } = deps
  const app = new Hono<AppEnv>()
  app.use('*', requireBearer(deps), requireAdmin)

  app.get('/users', async (c) => {
    const users = await store.listUsers()
    return c.json({ users: users.map(adminUser), user_enabled: true })
  })
  app.post('/users/:id/disable', async (c) => c.json(found(await admin.disable(userId(c)))))
  app.post('/users/:id/enable', async (c) => c.json(found(await admin.enable(userId(c)))))
  app.post('/users/:id/revoke', async (c) => c.json(found(await admin.revoke(userId(c)))))
  app.patch('/users/:id', async (c) => {
    const { role } = await readJson(c, rolePatch)
    return c.json(found(await admin.setRole(userId(c), role)))
  })
  app.post('/revoke-all', async (c) => {
    await admin.revokeAll()
    return c.json({ revoked: 'all', user_enabled: true })
  })
  return app
}
