import type { Role, Store } from '../store/types.js'
import type { Directory } from './directory.js'
import type { Sessions } from './sessions.js'

/**
 * What an administrator can do to users; the admin routes and the msw form's `admin` helpers share it.
 * Disable keeps the user's key (so its tokens answer 403 `user_disabled` and the client learns why) but
 * ends every session; enable rotates the user's string, so nothing from before the disable revives.
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
      const user = await store.updateUser(id, { enabled: false }, { reason: 'disabled', now: now() })
      if (user) await directory.invalidate({ kind: 'user', id })
      return user
    },
    enable: (id: string) => sessions.rotateUser(id, { enabled: true }, 'revoked'),
    revoke: (id: string) => sessions.rotateUser(id, {}, 'revoked'),
    setRole: (id: string, role: Role) => sessions.rotateUser(id, { role }, 'revoked'),
    revokeAll: () => directory.rotateGlobal(now()),
  }
}

export type AdminActions = ReturnType<typeof createAdminActions>
