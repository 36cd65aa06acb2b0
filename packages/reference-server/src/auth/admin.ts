import { apiError, LastAdminError } from '../errors.js'
import type { AuditEventType, Role, Store, UserRecord } from '../store/types.js'
import { type Audit, type AuditContext, noContext } from './audit.js'
import type { Directory } from './directory.js'
import type { Sessions } from './sessions.js'
import { type AdminUser, adminUser } from './views.js'

/** Changes that could take away an admin are checked, in the store's transaction, to leave one enabled. */
const keepAnAdmin = { keepAnAdmin: true }

/** Turns the store's refusal into the 409 the routes answer and the msw form's helpers reject with. */
const refuseLastAdmin = async <T>(change: Promise<T>): Promise<T> => {
  try {
    return await change
  } catch (error) {
    if (error instanceof LastAdminError) {
      throw apiError('last_admin')
    }
    throw error
  }
}

/**
 * What an administrator can do to users; the admin routes and the msw form's `admin` helpers share it.
 * Disable keeps the user's key (so its tokens answer 403 `user_disabled` and the client learns why) but
 * ends every session; enable rotates the user's `secret`, so nothing from before the disable revives.
 * A disable or demotion that would leave no enabled admin is refused with 409 `last_admin`, changing nothing.
 * Each returns the changed user, or null for an unknown id.
 */
export function createAdminActions(deps: {
  store: Store
  sessions: Sessions
  directory: Directory
  now: () => number
  audit: Audit
}) {
  const { store, sessions, directory, now, audit } = deps
  // Each change's event goes into the change's transaction (`context.actor`: the admin).
  const about = (type: AuditEventType, id: string, context: AuditContext) => ({
    audit: [audit.event(type, context, { user: id })],
  })
  return {
    async disable(id: string, context = noContext) {
      const end = { reason: 'disabled' as const, now: now() }
      const options = { ...keepAnAdmin, ...about('user.disabled', id, context) }
      const user = await directory.revoking([{ kind: 'user', id }], () =>
        refuseLastAdmin(store.updateUser(id, { enabled: false }, end, options)),
      )
      if (user) audit.committed(options.audit)
      return user
    },
    enable: (id: string, context = noContext) =>
      sessions.rotateUser(id, { enabled: true }, 'revoked', about('user.enabled', id, context)),
    revoke: (id: string, context = noContext) =>
      sessions.rotateUser(id, {}, 'revoked', about('user.sessions_revoked', id, context)),
    setRole: (id: string, role: Role, context = noContext) =>
      refuseLastAdmin(
        sessions.rotateUser(id, { role }, 'revoked', {
          ...keepAnAdmin,
          ...about('user.role_changed', id, context),
        }),
      ),
    async revokeAll(context = noContext) {
      const events = [audit.event('sessions.revoked_all', context)]
      await directory.rotateGlobal(now(), events)
      audit.committed(events)
    },
  }
}

export type AdminActions = ReturnType<typeof createAdminActions>

/**
 * What an administrator can do, for code rather than for the admin routes: each action by user id,
 * answering the user as an admin sees it (`{ id, username, role, enabled }`, never a hash or a secret), or
 * null for an unknown id. `disable` and `setRole` reject with an `ApiError` of code `last_admin` (changing
 * nothing) when they would leave no enabled admin.
 */
export interface LeashAdmin {
  user(id: string): Promise<AdminUser | null>
  /** Usernames are unique without regard to case. */
  userByName(username: string): Promise<AdminUser | null>
  /** The user's tokens answer 403 `user_disabled`; every session ends. */
  disable(id: string): Promise<AdminUser | null>
  /** Rotates the user's `secret`: nothing from before the disable comes back. */
  enable(id: string): Promise<AdminUser | null>
  /** Rotates the user's `secret`: every token and session of theirs dies. */
  revoke(id: string): Promise<AdminUser | null>
  /** A role change rotates the user's `secret`. */
  setRole(id: string, role: Role): Promise<AdminUser | null>
  /** Rotates the global epoch: everyone's tokens and sessions die. */
  revokeAll(): Promise<void>
}

/** The admin actions as `app.admin` offers them: records turned into views. */
export function adminSurface(actions: AdminActions, store: Store): LeashAdmin {
  const view = async (user: Promise<UserRecord | null>) => {
    const found = await user
    return found && adminUser(found)
  }
  return {
    user: (id) => view(store.findUserById(id)),
    userByName: (username) => view(store.findUserByUsername(username)),
    disable: (id) => view(actions.disable(id)),
    enable: (id) => view(actions.enable(id)),
    revoke: (id) => view(actions.revoke(id)),
    setRole: (id, role) => view(actions.setRole(id, role)),
    revokeAll: () => actions.revokeAll(),
  }
}
