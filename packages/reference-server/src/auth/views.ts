import type { AdminUser, PublicUser } from '@leash/protocol'
import type { UserRecord } from '../store/types.js'

export type { AdminUser, PublicUser }

/** A user as anyone may see it: never the password hash, never the user's secret. */
export const publicUser = (u: UserRecord): PublicUser => ({ id: u.id, username: u.username, role: u.role })

/** What an admin sees of a user. */
export const adminUser = (u: UserRecord): AdminUser => ({ ...publicUser(u), enabled: u.enabled })
