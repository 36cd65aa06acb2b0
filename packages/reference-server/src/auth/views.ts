import type { Role, UserRecord } from '../store/types.js'

/** A user as anyone may see it: never the password hash, never the user's secret. */
export interface PublicUser {
  readonly id: string
  readonly username: string
  readonly role: Role
}

/** A user as an administrator sees it. */
export interface AdminUser extends PublicUser {
  readonly enabled: boolean
}

/** The public view of a user. */
export const publicUser = (u: UserRecord): PublicUser => ({ id: u.id, username: u.username, role: u.role })

/** What an admin sees of a user. */
export const adminUser = (u: UserRecord): AdminUser => ({ ...publicUser(u), enabled: u.enabled })
