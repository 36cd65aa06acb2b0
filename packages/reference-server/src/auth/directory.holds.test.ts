import { describe, expect, it } from 'vitest'
import { createInProcessBus } from '../bus/in-process.js'
import { createMemoryStore } from '../store/memory.js'
import type { Store } from '../store/types.js'
import { session, user } from '../test/records.js'
import { joseCodec } from '../tokens/jose-codec.js'
import { createDirectory } from './directory.js'
import { keysFrom } from './keys.js'

// A target announced as about to be revoked is read from the store, and not cached, until its release.

const SECRET = 'directory-holds-test-global-secret-0123456789'

async function setup() {
  const memory = createMemoryStore()
  const reads = { sessions: 0, users: 0 }
  const store: Store = {
    ...memory,
    findSession: (id) => {
      reads.sessions += 1
      return memory.findSession(id)
    },
    findUserById: (id) => {
      reads.users += 1
      return memory.findUserById(id)
    },
  }
  const bus = createInProcessBus()
  const directory = createDirectory({
    store,
    bus,
    codec: joseCodec,
    keys: keysFrom({ globalSecret: SECRET }),
  })
  const u = await store.createUser(user())
  const [s, t] = [session(u.id), session(u.id)]
  await store.createSession(s, 'one')
  await store.createSession(t, 'two')
  return { store, bus, directory, reads, u, s, t }
}

describe('directory holds', () => {
  it('a held session is dropped and read from the store at every request, then cached again once released', async () => {
    const { bus, directory, reads, s } = await setup()
    await directory.session(s.id)
    expect(directory.cachedSession(s.id)).toBeDefined()
    await bus.publish({ kind: 'session', id: s.id, hold: 'h' })
    expect(directory.cachedSession(s.id)).toBeUndefined()
    const before = reads.sessions
    await directory.session(s.id)
    await directory.session(s.id)
    expect(reads.sessions).toBe(before + 2)
    expect(directory.cachedSession(s.id)).toBeUndefined()
    await bus.publish({ kind: 'session', id: s.id, release: 'h' })
    await directory.session(s.id)
    expect(directory.cachedSession(s.id)).toBeDefined()
  })

  it('a held user holds its sessions too (a sign-in at the cap ends sessions it cannot name beforehand)', async () => {
    const { store, bus, directory, u, s, t } = await setup()
    const other = await store.createUser(user({ username: 'Bob' }))
    const o = session(other.id)
    await store.createSession(o, 'three')
    for (const id of [s.id, t.id, o.id]) await directory.session(id)
    await directory.user(u.id)
    await bus.publish({ kind: 'user', id: u.id, hold: 'h' })
    expect(directory.cachedUser(u.id)).toBeUndefined()
    expect(directory.cachedSession(s.id)).toBeUndefined()
    expect(directory.cachedSession(t.id)).toBeUndefined()
    expect(directory.cachedSession(o.id)).toBeDefined() // another user's
    await directory.session(s.id)
    expect(directory.cachedSession(s.id)).toBeUndefined()
    await bus.publish({ kind: 'user', id: u.id, release: 'h' })
    await directory.session(s.id)
    expect(directory.cachedSession(s.id)).toBeDefined()
  })

  it('a load that began before the hold is not cached when it ends under it', async () => {
    const { bus, directory, s } = await setup()
    const loading = directory.session(s.id)
    await bus.publish({ kind: 'session', id: s.id, hold: 'h' })
    await loading
    expect(directory.cachedSession(s.id)).toBeUndefined()
  })

  it('`revoking` announces, runs the change, then releases, also when the change fails', async () => {
    const { bus, directory, s } = await setup()
    const seen: string[] = []
    bus.subscribe((m) => seen.push(m.hold ? 'hold' : m.release ? 'release' : 'plain'))
    const during = await directory.revoking([{ kind: 'session', id: s.id }], async () => {
      await directory.session(s.id)
      return directory.cachedSession(s.id)
    })
    expect(during).toBeUndefined() // read, not cached, while held
    await expect(
      directory.revoking([{ kind: 'session', id: s.id }], async () => {
        throw new Error('store down')
      }),
    ).rejects.toThrow('store down')
    expect(seen).toEqual(['hold', 'release', 'hold', 'release'])
    await directory.session(s.id)
    expect(directory.cachedSession(s.id)).toBeDefined()
  })
})
