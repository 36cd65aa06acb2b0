import { apiError, LastAdminError } from '../errors.js'
import type { Role, Store } from '../store/types.js'
import type { Directory } from './directory.js'
import type { Sessions } from './sessions.js'

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
 * ends every session; enable rotates the user's string, so nothing from before the disable revives.
 * A disable or demotion that would leave no enabled admin is refused with 409 `last_admin`, changing nothing.
 * Each returns the changed user, or null for an unknown id.
 */
export function createAdminActions(deps: {
  store: Store
  sessions: Sessions
  directory: Directory
  now: () => number
}) {
  const { store, sessions, directory, now } = deps
  return {
    async disable(id: string) {
      const end = { reason: 'disabled' as const, now: now() }
      const user = await refuseLastAdmin(store.updateUser(id, { enabled: false }, end, keepAnAdmin))
      if (user) await directory.invalidate({ kind: 'user', id })
      return user
    },
    enable: (id: string) => sessions.rotateUser(id, { enabled: true }, 'revoked'),
    revoke: (id: string) => sessions.rotateUser(id, {}, 'revoked'),
    setRole: (id: string, role: Role) =>
      refuseLastAdmin(sessions.rotateUser(id, { role }, 'revoked', keepAnAdmin)),
    revokeAll: () => directory.rotateGlobal(now()),
  }
}

export type AdminActions = ReturnType<typeof createAdminActions>
