import { describe, expect, it } from 'vitest'
import { createPbkdf2Hasher } from './auth/passwords.js'
import { ConfigError } from './config.js'
import { parseSeedUsers, seedUsers } from './seed.js'
import { createMemoryStore } from './store/memory.js'

describe('parseSeedUsers', () => {
  it('reads name:password[:role] entries, trimmed, the role user unless told', () => {
    expect(parseSeedUsers(' alice:pw1 , root:pw2:admin,bob:pw3:user ')).toEqual([
      { username: 'alice', password: 'pw1', role: 'user' },
      { username: 'root', password: 'pw2', role: 'admin' },
      { username: 'bob', password: 'pw3', role: 'user' },
    ])
    expect(parseSeedUsers(undefined)).toEqual([])
    expect(parseSeedUsers('  ')).toEqual([])
  })

  it('name:password:role:email gives the account an email, which counts as verified', async () => {
    expect(parseSeedUsers('alice:pw1:user:Alice@Example.com,root:pw2:admin')).toEqual([
      { username: 'alice', password: 'pw1', role: 'user', email: 'Alice@Example.com' },
      { username: 'root', password: 'pw2', role: 'admin' },
    ])
    const store = createMemoryStore()
    await seedUsers(store, createPbkdf2Hasher(1000), parseSeedUsers('alice:pw1:user:alice@example.com'), 1)
    expect(await store.findUserByEmail('ALICE@example.com')).toMatchObject({
      username: 'alice',
      email: 'alice@example.com',
      emailVerified: true,
    })
    expect(await store.findUserByUsername('alice')).not.toBeNull()
  })

  it('a backslash escapes : , and itself, so any password can be seeded', () => {
    expect(parseSeedUsers(String.raw`alice:p\:a\,ss\\word,root:x\:y:admin,carol:\\\:\,`)).toEqual([
      { username: 'alice', password: String.raw`p:a,ss\word`, role: 'user' },
      { username: 'root', password: 'x:y', role: 'admin' },
      { username: 'carol', password: String.raw`\:,`, role: 'user' },
    ])
    expect(parseSeedUsers(String.raw`a\:b:pw`)).toEqual([{ username: 'a:b', password: 'pw', role: 'user' }])
    // The README's example.
    expect(parseSeedUsers(String.raw`root:pa\:ss\,w\\rd:admin`)).toEqual([
      { username: 'root', password: String.raw`pa:ss,w\rd`, role: 'admin' },
    ])
  })

  // Each bad entry, with the message it must give: its position and at most its username.
  it.each([
    ['a role that is not one', 'bob:b0b-pass,alice:hunter:two', /entry 2 \("alice"\) has a role/],
    ['too many parts', 'alice:hun:ter:user:two', /entry 1 \("alice"\) has more parts/],
    ['a password with an unescaped : before a role', 'alice:hun:ter:user', /entry 1 \("alice"\) has a role/],
    [
      'an email that is not one address',
      'alice:hunter2pass:user:a@b\\,c@d',
      /entry 1 \("alice"\) has an email/,
    ],
    ['no name, only the password', 'hunter2pass', /entry 1 has no password/],
    ['an empty username', ':hunter2pass', /entry 1 has no username/],
    ['an empty password', 'alice::admin', /entry 1 \("alice"\) has no password/],
    ['a backslash before another character', String.raw`alice:hunter\2pass`, /entry 1 \("alice"\) has a \\/],
    ['a dangling backslash', String.raw`alice:hunter2pass\ `, /entry 1 \("alice"\) has a \\/],
    ['an empty entry', 'alice:hunter2pass,', /entry 2 is empty/],
  ])('%s: a ConfigError naming the entry, without its password', (_what, raw, message) => {
    let error: unknown
    try {
      parseSeedUsers(raw)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const text = (error as Error).message
    expect(text).toMatch(message)
    expect(text).toMatch(/^LEASH_SEED_USERS /)
    for (const secret of ['hunter', 'two', 'ter', '2pass', 'b0b']) expect(text).not.toContain(secret)
  })
})
