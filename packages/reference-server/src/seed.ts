import type { PasswordHasher } from './auth/passwords.js'
import { ConfigError } from './config.js'
import { ConflictError } from './errors.js'
import type { Role, Store, UserRecord } from './store/types.js'
import { randomId, randomToken } from './tokens/random.js'

/** A user to create at start if missing. */
export interface SeedUser {
  username: string
  password: string
  role?: Role
  enabled?: boolean
}

/** Parses `LEASH_SEED_USERS`: `name:password[:role],…`. */
export function parseSeedUsers(raw: string | undefined): SeedUser[] {
  if (!raw?.trim()) return []
  return raw.split(',').map((entry) => {
    const [username, password, role, ...rest] = entry.trim().split(':')
    if (
      !username ||
      !password ||
      rest.length > 0 ||
      (role !== undefined && role !== 'user' && role !== 'admin')
    ) {
      throw new ConfigError(
        `LEASH_SEED_USERS entry "${entry.trim()}" is not name:password[:role] (role user or admin)`,
      )
    }
    return { username, password, role: (role ?? 'user') as Role }
  })
}

/** Creates each user that does not exist yet; existing users are left exactly as they are. */
export async function seedUsers(
  store: Store,
  hasher: PasswordHasher,
  users: SeedUser[],
  now: number,
): Promise<UserRecord[]> {
  const created: UserRecord[] = []
  for (const u of users) {
    if (await store.findUserByUsername(u.username)) continue
    try {
      created.push(
        await store.createUser({
          id: randomId(),
          username: u.username,
          passwordHash: await hasher.hash(u.password),
          role: u.role ?? 'user',
          enabled: u.enabled ?? true,
          secret: randomToken(32),
          createdAt: now,
        }),
      )
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error // another instance created it meanwhile: fine
    }
  }
  return created
}
