import type { PasswordHasher } from './auth/passwords.js'
import { ConfigError } from './config.js'
import { ConflictError } from './errors.js'
import { email as emailSchema } from './schemas/requests.js'
import type { Role, Store, UserRecord } from './store/types.js'
import { randomId, randomToken } from './tokens/random.js'

/** A user to create at start if missing. */
export interface SeedUser {
  username: string
  password: string
  role?: Role
  enabled?: boolean
  /** Counted as verified: whoever seeds the account vouches for the address. */
  email?: string
}

/** Splits where `separator` is not escaped by a backslash; the escapes stay for `unescaped`. */
function split(text: string, separator: string): string[] {
  const parts: string[] = []
  let start = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === separator) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

/** `\:`, `\,` and `\\` stand for `:`, `,` and `\`; null for any other backslash. */
function unescaped(field: string): string | null {
  let out = ''
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!
    if (c !== '\\') out += c
    else if (':,\\'.includes(field[i + 1] ?? 'x')) out += field[++i]
    else return null
  }
  return out
}

/**
 * One entry, `name:password[:role[:email]]`, numbered from 1. A bad one is named by its position and, when
 * it surely has one, its username: never by its password, nor by what follows the username (a password
 * with an unescaped `:` would show there).
 */
function parseEntry(entry: string, n: number): SeedUser {
  const where = `LEASH_SEED_USERS entry ${n}`
  if (entry === '') throw new ConfigError(`${where} is empty`)
  const fields = split(entry, ':')
  const values = fields.map(unescaped)
  const [username, password, role, email] = values
  // A lone field may be a password whose name was left out: then it is not shown either.
  const named = fields.length > 1 && username ? `${where} ("${username}")` : where
  const hint = 'escape a : , or \\ in a password as \\: \\, or \\\\'
  const form = '(name:password[:role[:email]])'
  if (values.includes(null)) throw new ConfigError(`${named} has a \\ before something else; ${hint}`)
  if (!username) throw new ConfigError(`${where} has no username ${form}`)
  if (!password) throw new ConfigError(`${named} has no password ${form}`)
  // The email only after a role: `name:pass:x@y` (a password with an unescaped `:`) stays an error.
  if (fields.length > 4) throw new ConfigError(`${named} has more parts than ${form}; ${hint}`)
  if (role !== undefined && role !== 'user' && role !== 'admin') {
    throw new ConfigError(`${named} has a role other than user or admin; ${hint}`)
  }
  if (email && !emailSchema.safeParse(email).success) {
    // The email is not shown: an unescaped `:` in the password would put part of it there.
    throw new ConfigError(`${named} has an email that is not one address like name@example.com`)
  }
  return { username, password, role: (role ?? 'user') as Role, ...(email && { email }) }
}

/**
 * Parses `LEASH_SEED_USERS`: `name:password[:role[:email]],…`. A backslash escapes `:`, `,` and itself, so
 * any password can be seeded: `alice:p\:w\,d\\` is alice with the password `p:w,d\`. Entries are trimmed.
 * A bad entry throws a `ConfigError` that never contains its password.
 */
export function parseSeedUsers(raw: string | undefined): SeedUser[] {
  if (!raw?.trim()) return []
  return split(raw, ',').map((entry, i) => parseEntry(entry.trim(), i + 1))
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
          email: u.email ?? null,
          emailVerified: u.email !== undefined,
        }),
      )
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error // another instance created it meanwhile: fine
    }
  }
  return created
}
