import { describe, expect, it } from 'vitest'
import { codeOf, testServer } from '../test/harness.js'
import { InvalidatingCache } from './cache.js'

/** A promise and the function that settles it, for loads the test finishes by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('InvalidatingCache', () => {
  it('does not store a load that an invalidation overtook, and nobody joins it afterwards', async () => {
    const cache = new InvalidatingCache<string>(10)
    const first = deferred<string>()
    let loads = 0
    const slow = cache.load('k', () => {
      loads += 1
      return first.promise
    })
    cache.delete('k') // the revocation lands while the old value is being read
    const fresh = cache.load('k', async () => {
      loads += 1
      return 'new'
    })
    first.resolve('old')
    expect(await slow).toBe('old') // its caller began before the revocation
    expect(await fresh).toBe('new')
    expect(loads).toBe(2)
    expect(cache.get('k')).toBe('new')
  })

  it('shares one load among callers of the same generation', async () => {
    const cache = new InvalidatingCache<string>(10)
    let loads = 0
    const load = () =>
      cache.load('k', async () => {
        loads += 1
        return 'v'
      })
    expect(await Promise.all([load(), load(), load()])).toEqual(['v', 'v', 'v'])
    expect(loads).toBe(1)
  })

  it('never stores null, and expires entries maxAge after their load began', async () => {
    let t = 1_000
    const cache = new InvalidatingCache<string>(10, 5_000, () => t)
    expect(await cache.load('missing', async () => null)).toBeNull()
    expect(cache.get('missing')).toBeUndefined()
    await cache.load('k', async () => 'v')
    t += 4_999
    expect(cache.get('k')).toBe('v')
    t += 1
    expect(cache.get('k')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('evicts the oldest entry when full', async () => {
    const cache = new InvalidatingCache<number>(2)
    await cache.load('a', async () => 1)
    await cache.load('b', async () => 2)
    await cache.load('c', async () => 3)
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3])
  })
})

describe('the age bound on cached sessions', () => {
  it('a change that no invalidation announced is seen within 5 s', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    expect((await s.bearer(t.access_token)).status).toBe(200) // cached now
    // Ended behind the cache's back, as a change whose bus message was lost would be.
    await s.store.endSession(t.session.id, 'revoked', s.clock.now())
    expect((await s.bearer(t.access_token)).status).toBe(200)
    s.clock.advance(5)
    const res = await s.bearer(t.access_token)
    expect(res.status).toBe(401)
    expect(await codeOf(res)).toBe('session_revoked')
  })
})
