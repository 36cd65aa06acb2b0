import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv, Deps } from '../context.js'
import { ApiError } from '../errors.js'
import { requireAdmin, requireBearer } from '../middleware/bearer.js'
import { readJson } from '../middleware/json-body.js'
import type { UserRecord } from '../store/types.js'
import { adminUser } from './respond.js'

const rolePatch = z.object({ role: z.enum(['user', 'admin']) })

const found = (user: UserRecord | null) => {
  if (!user) throw new ApiError(404, 'user_not_found', 'No user has that id.')
  return { user: adminUser(user), user_enabled: true }
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
  app.post('/users/:id/disable', async (c) => c.json(found(await admin.disable(c.req.param('id')))))
  app.post('/users/:id/enable', async (c) => c.json(found(await admin.enable(c.req.param('id')))))
  app.post('/users/:id/revoke', async (c) => c.json(found(await admin.revoke(c.req.param('id')))))
  app.patch('/users/:id', async (c) => {
    const { role } = await readJson(c, rolePatch)
    return c.json(found(await admin.setRole(c.req.param('id'), role)))
  })
  app.post('/revoke-all', async (c) => {
    await admin.revokeAll()
    return c.json({ revoked: 'all', user_enabled: true })
  })
  return app
}
