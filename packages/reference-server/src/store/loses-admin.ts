import type { UserPatch, UserRecord } from './types.js'

/**
 * Whether the patch makes an enabled admin no longer one (demoted or disabled): the changes that
 * `updateUser` with `keepAnAdmin` checks against the other enabled admins.
 */
export const losesAdmin = (user: Pick<UserRecord, 'role' | 'enabled'>, patch: UserPatch): boolean =>
  user.role === 'admin' && user.enabled && (patch.role === 'user' || patch.enabled === false)
