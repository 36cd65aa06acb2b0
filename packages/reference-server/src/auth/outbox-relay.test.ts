import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Bus, Invalidation } from '../bus/types.js'
import { createMemoryStore } from '../store/memory.js'
import type { OutboxEntry, Store } from '../store/types.js'
import { session, user } from '../test/records.js'
import { joseCodec } from '../tokens/jose-codec.js'
import { createDirectory } from './directory.js'
import { keysFrom } from './keys.js'
import { createOutboxRelay } from './outbox-relay.js'

// Each instance reads the outbox for itself: what another instance committed reaches this cache even when
// no message about it ever came (its instance died, or its publish was lost).

const SECRET = 'outbox-relay-test-global-secret-0123456789'

/** An outbox whose entries the test makes visible one by one, in any order (as concurrent commits do). */
function fakeOutbox() {
  const visible: OutboxEntry[] = []
  let fail = false
  const store = {
    outboxSeq: async () => Math.max(0, ...visible.map((e) => e.seq)),
    async outboxAfter(after: number, limit: number) {
      if (fail) throw new Error('database down')
      return visible
        .filter((e) => e.seq > after)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit)
    },
  }
  return {
    store,
    commit: (seq: number, id = `s${seq}`) => visible.push({ seq, time: 0, message: { kind: 'session', id } }),
    failing(on: boolean) {
      fail = on
    },
  }
}

describe('outbox relay', () => {
  const setup = (gapMs = 60_000) => {
    const outbox = fakeOutbox()
    const applied: Invalidation[] = []
    const logs: unknown[] = []
    let t = 0
    const relay = createOutboxRelay({
      store: outbox.store,
      apply: (m) => applied.push(m),
      now: () => t,
      log: (entry) => logs.push(entry),
      gapMs,
    })
    const ids = () => applied.map((m) => (m.kind === 'all' || m.kind === 'keys' ? m.kind : m.id))
    return { outbox, relay, ids, logs, advance: (ms: number) => (t += ms) }
  }

  it('starts at the newest entry, then applies each new one once, in order', async () => {
    const { outbox, relay, ids } = setup()
    outbox.commit(1)
    await relay.poll()
    expect(ids()).toEqual([]) // from before this instance started: its cache was empty then
    outbox.commit(2)
    outbox.commit(3)
    await relay.poll()
    await relay.poll()
    expect(ids()).toEqual(['s2', 's3'])
  })

  it('applies an entry that became visible after a later one (a transaction that committed late)', async () => {
    const { outbox, relay, ids } = setup()
    await relay.poll()
    outbox.commit(2)
    await relay.poll()
    expect(relay.gaps).toBe(1)
    outbox.commit(1)
    await relay.poll()
    expect(ids()).toEqual(['s2', 's1'])
    expect(relay.gaps).toBe(0)
  })

  it('gives a missing number up after gapMs (its transaction rolled back)', async () => {
    const { outbox, relay, advance } = setup(1_000)
    await relay.poll()
    outbox.commit(3)
    await relay.poll()
    expect(relay.gaps).toBe(2)
    advance(1_001)
    await relay.poll()
    expect(relay.gaps).toBe(0)
  })

  it('a failed read is logged once, and what it missed is read when the store answers again', async () => {
    const { outbox, relay, ids, logs } = setup()
    await relay.poll()
    outbox.failing(true)
    outbox.commit(1)
    await relay.poll()
    await relay.poll()
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', msg: 'outbox read failed' })])
    outbox.failing(false)
    await relay.poll()
    expect(ids()).toEqual(['s1'])
  })
})

describe('a directory on a bus across instances', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A live bus that carries nothing between instances: every message of the others is lost. */
  const silentBus = (): Bus => ({
    kind: 'test',
    publish: async () => {},
    subscribe: () => () => {},
    live: () => true,
    close: async () => {},
  })

  it('drops a cached session that another instance ended and never announced, at its next outbox read', async () => {
    vi.useFakeTimers()
    const store: Store = createMemoryStore()
    const u = await store.createUser(user())
    const s = session(u.id)
    await store.createSession(s, 'token')
    const directory = createDirectory({
      store,
      bus: silentBus(),
      codec: joseCodec,
      keys: keysFrom({ globalSecret: SECRET }),
    })
    await vi.advanceTimersByTimeAsync(0) // the first read: where the outbox stands
    expect((await directory.session(s.id))?.endedAt).toBeNull()
    expect(directory.cachedSession(s.id)?.endedAt).toBeNull()
    await store.endSession(s.id, 'revoked', 2000) // the other instance's commit; it dies
    expect(directory.cachedSession(s.id)?.endedAt).toBeNull() // still cached: no message came
    await vi.advanceTimersByTimeAsync(250)
    expect(directory.cachedSession(s.id)).toBeUndefined()
    expect((await directory.session(s.id))?.endedAt).toBe(2000)
    directory.close()
  })
})
