import { describe, expect, it } from 'vitest'
import { createHolds } from './holds.js'

// A hold keeps its target out of the cache until its own release, or until it expires.

describe('holds', () => {
  const clock = () => {
    let t = 1_000
    return { now: () => t, advance: (ms: number) => (t += ms) }
  }

  it('holds a target from its hold to its release, whatever else is said of it meanwhile', () => {
    const c = clock()
    const holds = createHolds(c.now, 60_000)
    expect(holds.blocks('session', 's1')).toBe(false)
    holds.apply({ kind: 'session', id: 's1', hold: 'h1' })
    expect(holds.blocks('session', 's1')).toBe(true)
    expect(holds.blocks('session', 's2')).toBe(false)
    expect(holds.blocks('user', 's1')).toBe(false)
    holds.apply({ kind: 'session', id: 's1' }) // a plain invalidation lifts nothing
    holds.apply({ kind: 'session', id: 's1', release: 'other' }) // nor another hold's release
    expect(holds.blocks('session', 's1')).toBe(true)
    holds.apply({ kind: 'session', id: 's1', release: 'h1' })
    expect(holds.blocks('session', 's1')).toBe(false)
    expect(holds.size).toBe(0)
  })

  it('two changes of one target: held until both are released', () => {
    const holds = createHolds(clock().now)
    holds.apply({ kind: 'user', id: 'u1', hold: 'a' })
    holds.apply({ kind: 'user', id: 'u1', hold: 'b' })
    holds.apply({ kind: 'user', id: 'u1', release: 'a' })
    expect(holds.blocks('user', 'u1')).toBe(true)
    holds.apply({ kind: 'user', id: 'u1', release: 'b' })
    expect(holds.blocks('user', 'u1')).toBe(false)
  })

  it('a hold whose release never comes (its instance died) ends after holdMs', () => {
    const c = clock()
    const holds = createHolds(c.now, 60_000)
    holds.apply({ kind: 'session', id: 's1', hold: 'h1' })
    c.advance(59_999)
    expect(holds.blocks('session', 's1')).toBe(true)
    c.advance(1)
    expect(holds.blocks('session', 's1')).toBe(false)
    expect(holds.size).toBe(0)
  })

  it('`all` holds every user, session and the epoch; a target hold never holds the epoch', () => {
    const holds = createHolds(clock().now)
    holds.apply({ kind: 'user', id: 'u1', hold: 'h' })
    expect(holds.blocks('epoch', 'epoch')).toBe(false)
    holds.apply({ kind: 'all', hold: 'h2' })
    for (const [kind, id] of [
      ['user', 'u9'],
      ['session', 's9'],
      ['epoch', 'epoch'],
    ] as const)
      expect(holds.blocks(kind, id)).toBe(true)
    holds.apply({ kind: 'all', release: 'h2' })
    expect(holds.blocks('session', 's9')).toBe(false)
  })
})
