import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import express, { type ErrorRequestHandler } from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { requireSession as expressRequireSession, leashRouter } from '../adapters/express.js'
import { requireSession as fastifyRequireSession, leashPlugin, leashRoutes } from '../adapters/fastify.js'
import type { LogEntry } from '../log.js'
import type { LeashEnv } from '../middleware/require-session.js'
import type { Principal, Verifier } from '../verifier.js'

// What the adapter conformance suite (adapters/adapter.conformance.test.ts) holds every framework to, and how
// each framework mounts Leash: Hono (`requireSession`, `app.route(prefix, leash.endpoints)`), Express and
// Fastify (their adapters). Every app is served on a loopback socket, as it runs in production, so the client
// address and the Authorization header are read off Node's request (`nodeClientIp`, `nodeAuthorization`).

/** The app under test of one framework: its base URL. */
export interface FrameworkUnderTest {
  name: string
  /**
   * An app of the framework's own with routes behind its `requireSession`: GET /user (any role), /admin
   * (admins), /either (users and admins), /recent (a sign-in within `RECENT_MAX_AGE` seconds). The /user handler records the principal where the framework puts
   * it. `log` is where the adapter reports a store outage (Hono's middleware reports to its app's own `log`).
   */
  protect(
    leash: Pick<Verifier, 'verify' | 'requireSession'>,
    reached: Array<Principal | null>,
    log?: (entry: LogEntry) => void,
  ): Promise<string>
  /**
   * An app of the framework's own with Leash's routes under `prefix` (null: at its root) and routes of its
   * own: POST /echo answers the JSON body its own parser read, GET /identity/other; its own 404
   * (`{ host: 'not found' }`) and error handler (500 `{ host: 'error', message }`).
   */
  mount(leash: { readonly endpoints: Hono }, prefix: string | null): Promise<string>
  /**
   * The 404 body for an unknown path under the mounted `auth/`: Leash's own `not_found` through the Node
   * adapters; a Hono host's own not-found answer, for `leash.endpoints` leave a path no route serves to it.
   */
  unknownLeashPath: object
}

const leashNotFound = { error: { code: 'not_found' } }

/** The `maxAge` of every framework's GET /recent. */
export const RECENT_MAX_AGE = 60

const open: Array<() => Promise<void>> = []

/** Closes every app served since the last call: for `afterEach`. */
export const closeServed = () => Promise.all(open.splice(0).map((close) => close()))

/** Serves a Node server on an ephemeral loopback port; closed by `closeServed`. */
async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await new Promise<void>((ready) => server.once('listening', () => ready()))
  open.push(
    () =>
      new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const serveHono = (app: Hono) =>
  listen(createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server)

export const hono: FrameworkUnderTest = {
  name: 'Hono',
  unknownLeashPath: { host: 'not found' },
  async protect(leash, reached) {
    const app = new Hono<LeashEnv>()
    app.onError((_error, c) => c.json({ own: 'error handler' }, 500))
    app.get('/user', leash.requireSession(), (c) => {
      reached.push(c.get('leash'))
      return c.json({ ok: true })
    })
    app.get('/admin', leash.requireSession({ role: 'admin' }), (c) => c.json({ ok: true }))
    app.get('/either', leash.requireSession({ role: ['user', 'admin'] }), (c) => c.json({ ok: 1 }))
    app.get('/recent', leash.requireSession({ maxAge: RECENT_MAX_AGE }), (c) => c.json({ ok: 'recent' }))
    return serveHono(app as unknown as Hono)
  },
  async mount(leash, prefix) {
    const app = new Hono()
    app.route(prefix ?? '/', leash.endpoints)
    app.post('/echo', async (c) => c.json({ body: await c.req.json() }))
    app.get('/identity/other', (c) => c.json({ host: 'other' }))
    app.notFound((c) => c.json({ host: 'not found' }, 404))
    app.onError((error, c) => c.json({ host: 'error', message: error.message }, 500))
    return serveHono(app)
  },
}

/** Express's answer to an error that reaches the app's own handler. */
const expressErrors: ErrorRequestHandler = (error, _req, res, _next) =>
  res.status(500).json({ host: 'error', message: String(error.message) })

/** An Express app with Leash's routes under `prefix`; `before` runs first (a body parser, say). */
export function expressMount(
  leash: { readonly endpoints: Hono },
  prefix: string | null,
  before?: (app: express.Express) => void,
): Promise<string> {
  const app = express()
  before?.(app)
  if (prefix === null) app.use(leashRouter(leash))
  else app.use(prefix, leashRouter(leash))
  app.use(express.json())
  app.post('/echo', (req, res) => res.json({ body: req.body }))
  app.get('/identity/other', (_req, res) => res.json({ host: 'other' }))
  app.use((_req, res) => res.status(404).json({ host: 'not found' }))
  app.use(expressErrors)
  return listen(app.listen(0, '127.0.0.1'))
}

export const expressFramework: FrameworkUnderTest = {
  name: 'Express',
  unknownLeashPath: leashNotFound,
  async protect(leash, reached, log) {
    const app = express()
    app.get('/user', expressRequireSession(leash, { ...(log && { log }) }), (req, res) => {
      reached.push(req.leash!)
      res.json({ ok: true })
    })
    app.get('/admin', expressRequireSession(leash, { role: 'admin' }), (_req, res) => res.json({ ok: true }))
    app.get('/either', expressRequireSession(leash, { role: ['user', 'admin'] }), (_req, res) =>
      res.json({ ok: 1 }),
    )
    app.get('/recent', expressRequireSession(leash, { maxAge: RECENT_MAX_AGE }), (_req, res) =>
      res.json({ ok: 'recent' }),
    )
    app.use(((_error, _req, res, _next) =>
      res.status(500).json({ own: 'error handler' })) as ErrorRequestHandler)
    return listen(app.listen(0, '127.0.0.1'))
  },
  mount: (leash, prefix) => expressMount(leash, prefix),
}

/** A Fastify app, closed by `closeServed`. */
export function fastifyApp() {
  const app = Fastify()
  open.push(() => app.close())
  return app
}

export const fastify: FrameworkUnderTest = {
  name: 'Fastify',
  unknownLeashPath: leashNotFound,
  async protect(leash, reached, log) {
    const app = fastifyApp()
    // The plugin's decorator on two routes, the plain preHandler on the third: both are the adapter's.
    await app.register(leashPlugin, { leash, ...(log && { log }) })
    app.get('/user', { preHandler: app.leash.requireSession() }, async (request) => {
      reached.push(request.leash)
      return { ok: true }
    })
    app.get('/admin', { preHandler: app.leash.requireSession({ role: 'admin' }) }, async () => ({ ok: true }))
    const either = fastifyRequireSession(leash, { role: ['user', 'admin'] })
    app.get('/either', { preHandler: either }, async () => ({ ok: 1 }))
    const recent = app.leash.requireSession({ maxAge: RECENT_MAX_AGE })
    app.get('/recent', { preHandler: recent }, async () => ({ ok: 'recent' }))
    app.setErrorHandler((_error, _request, reply) => reply.code(500).send({ own: 'error handler' }))
    return app.listen({ port: 0, host: '127.0.0.1' })
  },
  async mount(leash, prefix) {
    const app = fastifyApp()
    await app.register(leashRoutes, { leash, ...(prefix !== null && { prefix }) })
    app.post('/echo', async (request) => ({ body: request.body }))
    app.get('/identity/other', async () => ({ host: 'other' }))
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ host: 'not found' }))
    app.setErrorHandler((error, _request, reply) =>
      reply.code(500).send({ host: 'error', message: String((error as Error).message) }),
    )
    return app.listen({ port: 0, host: '127.0.0.1' })
  },
}

/** Every framework Leash runs in, for `describe.each`. */
export const frameworks: Array<[string, FrameworkUnderTest]> = [
  ['Hono', hono],
  ['Express', expressFramework],
  ['Fastify', fastify],
]
