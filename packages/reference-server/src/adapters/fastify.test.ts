import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../errors.js'
import { createMemoryStore } from '../store/memory.js'
import { closeServed, fastifyApp } from '../test/frameworks.js'
import { testServer } from '../test/harness.js'
import { leashPlugin, requireSession } from './fastify.js'

// What only Fastify has (a plugin, its encapsulation, a request decorator); every case Fastify shares with
// Hono and Express is in adapter.conformance.test.ts. Driven with inject: no socket.

afterEach(closeServed)

describe('the leash plugin (Fastify)', () => {
  it('is not encapsulated: registered on the app, it decorates the app itself and the plugins under it', async () => {
    const s = await testServer()
    const alice = await s.login('alice')
    const app = fastifyApp()
    await app.register(leashPlugin, { leash: s.app })
    // An encapsulated plugin would have decorated a child context of its own, leaving app.leash undefined.
    app.get('/user', { preHandler: app.leash.requireSession() }, async (request) => request.leash!.user)
    await app.register(async (child) => {
      child.get(
        '/child',
        { preHandler: child.leash.requireSession() },
        async (request) => request.leash!.user,
      )
    })
    const headers = { authorization: `Bearer ${alice.access_token}` }
    const user = { id: alice.user.id, username: 'alice', role: 'user' }
    expect((await app.inject({ url: '/user', headers })).json()).toEqual(user)
    expect((await app.inject({ url: '/child', headers })).json()).toEqual(user)
  })

  it('decorates every request: request.leash is null on a route without the check', async () => {
    const s = await testServer()
    const alice = await s.login('alice')
    const app = fastifyApp()
    await app.register(leashPlugin, { leash: s.app })
    app.get('/open', async (request) => ({ leash: request.leash }))
    const headers = { authorization: `Bearer ${alice.access_token}` }
    expect((await app.inject({ url: '/open', headers })).json()).toEqual({ leash: null })
  })

  it('with no log of its own, reports a store outage to the request’s logger, at warn', async () => {
    const store = createMemoryStore()
    const s = await testServer({ store })
    const alice = await s.login('alice')
    const lines: string[] = []
    const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => lines.push(line) } } })
    app.get('/user', { preHandler: requireSession(s.app) }, async () => ({ ok: true }))
    store.findUserById = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    const res = await app.inject({ url: '/user', headers: { authorization: `Bearer ${alice.access_token}` } })
    await app.close()
    expect(res.statusCode).toBe(503)
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(logged).toEqual([
      expect.objectContaining({ level: 40, msg: 'store unavailable', path: '/user', error: 'ECONNREFUSED' }),
    ])
  })
})
