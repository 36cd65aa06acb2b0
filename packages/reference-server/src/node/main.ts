import { inspect } from 'node:util'
import { serve } from '@hono/node-server'
import { ConfigError } from '../config.js'
import { StoreUnavailableError } from '../errors.js'
import { appFromEnv } from './app-from-env.js'
import { type Env, redactorFor } from './env.js'

/** A running server: where it listens, and how to stop it (closes the socket, the bus and the store). */
export interface RunningServer {
  url: string
  close(): Promise<void>
}

/**
 * Reads the environment, wires the real adapters and listens. Throws `ConfigError` for a bad value;
 * the program (`bin.ts`) prints it and exits 1.
 */
export async function startServer(env: Env = process.env, quiet = false): Promise<RunningServer> {
  const leash = await appFromEnv(env, { quiet })
  const { app, config, store, bus, listen, log } = leash
  const server = await new Promise<ReturnType<typeof serve>>((ready, fail) => {
    const s = serve({ fetch: app.fetch, ...listen }, (info) => {
      log({
        msg: 'listening',
        url: `http://${info.address}:${info.port}`,
        store: store.kind,
        bus: bus.kind,
        access_ttl: config.accessTtl,
        idle_timeout: config.idleTimeout,
        absolute_timeout: config.absoluteTimeout,
      })
      ready(s)
    })
    s.once('error', fail)
  }).catch(async (error: unknown) => {
    await leash.close()
    throw error
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : listen.port
  let closing: Promise<void> | undefined
  return {
    url: `http://${listen.hostname}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((done) => {
        server.close(() => done())
        if ('closeAllConnections' in server) server.closeAllConnections()
      }).then(() => leash.close())),
  }
}

/**
 * What the program prints when `startServer` fails, then exits 1: the message of a bad setting or an
 * unreachable database, anything else in full; never with a password of the environment's URLs.
 */
export function startupFailure(error: unknown, env: Env): string {
  const scrub = redactorFor(env)
  if (error instanceof ConfigError) return scrub(`leash: ${error.message}`)
  if (error instanceof StoreUnavailableError)
    return scrub(`leash: cannot reach the database: ${String((error.cause as Error)?.message)}`)
  return scrub(`leash: ${inspect(error)}`)
}
