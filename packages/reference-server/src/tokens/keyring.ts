/** One key of a keyring: the id every token it signs names (`kid`), and its secret (≥ 32 bytes). */
export interface KeyringKey {
  readonly id: string
  readonly secret: string
}

/**
 * The keys a server signs and verifies access tokens with: `signer` signs every new token; every key in
 * `keys` (the signer among them) is still accepted. A token names its key in its header (`kid`); one whose
 * key is not in the ring is answered 401 `token_expired`, so that a client refreshes once.
 * @example { signer: '2025-06', keys: [{ id: '2025-01', secret: oldSecret }, { id: '2025-06', secret: newSecret }] }
 */
export interface Keyring {
  readonly signer: string
  readonly keys: readonly KeyringKey[]
}

/** What a key id may be: 1 to 32 of `A-Z a-z 0-9 _ -`. */
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/

/**
 * The id of the one-key form's key (`globalSecret: string`, `LEASH_GLOBAL_SECRET`, the database's first
 * key), and the key a token without `kid` (signed before key ids existed) is checked with. Moving from
 * `LEASH_GLOBAL_SECRET=s` to `LEASH_GLOBAL_SECRETS=default:s,…` therefore signs no one out.
 */
export const DEFAULT_KEY_ID = 'default'

/** The one-key form as a keyring: `globalSecret` under the id `default`, which signs. */
export const oneKeyRing = (secret: string): Keyring => ({
  signer: DEFAULT_KEY_ID,
  keys: [{ id: DEFAULT_KEY_ID, secret }],
})

const bytes = (text: string) => new TextEncoder().encode(text).length

/**
 * The ring, frozen, or an Error saying what is wrong with it (ids and counts only: never a secret).
 * `what` names it in the message (`keyring`, `LEASH_GLOBAL_SECRETS`, …).
 */
export function validateKeyring(ring: Keyring, what = 'keyring'): Keyring {
  if (!ring || !Array.isArray(ring.keys) || ring.keys.length === 0)
    throw new Error(`${what} must hold at least one key`)
  const seen = new Set<string>()
  for (const [index, key] of ring.keys.entries()) {
    if (typeof key?.id !== 'string' || !KEY_ID.test(key.id))
      throw new Error(
        `${what}: key ${index + 1} has the id ${JSON.stringify(String(key?.id).slice(0, 40))}; an id must be 1 to 32 of A-Z a-z 0-9 _ -`,
      )
    if (seen.has(key.id)) throw new Error(`${what}: the key id "${key.id}" appears twice`)
    seen.add(key.id)
    if (typeof key.secret !== 'string' || bytes(key.secret) < 32)
      throw new Error(`${what}: the secret of key "${key.id}" must be at least 32 bytes`)
  }
  if (typeof ring.signer !== 'string' || !seen.has(ring.signer))
    throw new Error(
      `${what}: the signer ${JSON.stringify(String(ring.signer).slice(0, 40))} is not one of its keys (${[...seen].join(', ')})`,
    )
  return Object.freeze({
    signer: ring.signer,
    keys: Object.freeze(ring.keys.map((k) => Object.freeze({ id: k.id, secret: k.secret }))),
  })
}
