import type { AccountUser, AdminUser, PublicUser } from '@leash/protocol'
import type { UserRecord } from '../store/types.js'

export type { AccountUser, AdminUser, PublicUser }

/** A user as anyone may see it: never the password hash, never the user's secret. */
export const publicUser = (u: UserRecord): PublicUser => ({ id: u.id, username: u.username, role: u.role })

/** A user as the user sees it (`GET /auth/me`, registration): with the email address and its state. */
export const accountUser = (u: UserRecord): AccountUser => ({
  ...publicUser(u),
  email: u.email ?? null,
  email_verified: u.emailVerified === true,
})

/** What an admin sees of a user. */
export const adminUser = (u: UserRecord): AdminUser => ({ ...accountUser(u), enabled: u.enabled })
