import { describe, expect, it } from 'vitest'
import { type Keyring, oneKeyRing, validateKeyring } from '../tokens/keyring.js'
import { sha256 } from '../tokens/random.js'
import { createRefreshTokens } from '../tokens/refresh-token.js'
import { createKeys, keysFrom } from './keys.js'

const A = 'a'.repeat(32)
const B = 'b'.repeat(40)
const ring = (signer: string, ...keys: Array<[string, string]>): Keyring => ({
  signer,
  keys: keys.map(([id, secret]) => ({ id, secret })),
})

describe('keyring validation', () => {
  it('accepts a signer among unique, well-formed ids with secrets of 32 bytes or more', () => {
    const valid = validateKeyring(ring('k2', ['default', A], ['k2', B]))
    expect(valid.signer).toBe('k2')
    expect(Object.isFrozen(valid.keys)).toBe(true)
    expect(oneKeyRing(A)).toEqual(ring('default', ['default', A]))
  })

  it.each([
    ['no key', ring('a'), /at least one key/],
    ['a bad id', ring('a b', ['a b', A]), /key 1 has the id "a b"/],
    ['an id of 33', ring('x', ['x'.repeat(33), A]), /1 to 32/],
    ['a duplicate id', ring('a', ['a', A], ['a', B]), /"a" appears twice/],
    ['a short secret', ring('a', ['a', 'short']), /secret of key "a" must be at least 32 bytes/],
    ['a signer not in the ring', ring('c', ['a', A], ['b', B]), /signer "c" is not one of its keys \(a, b\)/],
  ])('refuses %s, naming no secret', (_name, bad, message) => {
    expect(() => validateKeyring(bad)).toThrow(message)
    try {
      validateKeyring(bad)
    } catch (error) {
      expect(String(error)).not.toContain(A)
      expect(String(error)).not.toContain('short')
    }
  })

  it('createApp and createVerifier take one form of keys, not both, not neither', () => {
    expect(() => keysFrom({ globalSecret: A, keyring: oneKeyRing(A) })).toThrow(/not both/)
    expect(() => keysFrom({})).toThrow(/globalSecret or keyring is required/)
    expect(() => keysFrom({ globalSecret: 'short' })).toThrow(/at least 32 bytes/)
    expect(keysFrom({ globalSecret: A }).signer()).toEqual({ id: 'default', secret: A })
  })
})

describe('the live keyring', () => {
  it('reloads for an unknown kid at most once per gap, and finds a key added meanwhile', async () => {
    let now = 1_000_000
    let loads = 0
    let stored = ring('a', ['a', A])
    const keys = createKeys(stored, {
      now: () => now,
      load: async () => {
        loads += 1
        return stored
      },
      reloadEveryMs: 3_600_000,
    })
    try {
      // 100 made-up kids: one reload, the rest answered from the ring held.
      for (let i = 0; i < 100; i++) expect(await keys.find(`forged${i}`)).toBeUndefined()
      expect(loads).toBe(1)
      stored = ring('a', ['a', A], ['b', B])
      expect(await keys.find('b')).toBeUndefined() // within the gap: not read again
      now += 1_000
      expect(await keys.find('b')).toBe(B)
      expect(loads).toBe(2)
      expect(keys.secrets()).toEqual([A, B])
    } finally {
      keys.close()
    }
  })

  it('keeps the keys it holds when a reload fails, and tells when an id comes back with another secret', async () => {
    let fail = true
    let stored = ring('a', ['a', A])
    const keys = createKeys(stored, {
      load: async () => {
        if (fail) throw new Error('store down')
        return stored
      },
    })
    let replaced = 0
    keys.onReplaced(() => {
      replaced += 1
    })
    await keys.reload()
    expect(keys.signer()).toEqual({ id: 'a', secret: A })
    fail = false
    stored = ring('a', ['a', A], ['b', B])
    await keys.reload()
    expect(replaced).toBe(0)
    stored = ring('a', ['a', A], ['b', 'c'.repeat(32)])
    await keys.reload()
    expect(replaced).toBe(1)
    keys.close()
  })
})

describe('refresh-token tags across a rotation', () => {
  const SID = '0f8fad5b-d9cb-469f-a165-70867728950e'
  it('are made under the signer and recognised under every key of the ring, and no other', async () => {
    const before = createRefreshTokens(sha256, () => [A])
    const during = createRefreshTokens(sha256, () => [B, A])
    const after = createRefreshTokens(sha256, () => [B])
    const old = await before.issue(SID)
    expect(await during.familyOf(old)).toBe(SID)
    expect(await after.familyOf(old)).toBeNull()
    const fresh = await during.issue(SID)
    expect(await after.familyOf(fresh)).toBe(SID)
    expect(await before.familyOf(fresh)).toBeNull()
    // The one-key form's tag is what it was before keyrings: a string secret is a ring of one.
    expect(await createRefreshTokens(sha256, A).familyOf(old)).toBe(SID)
  })
})
