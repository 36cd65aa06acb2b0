import type { Server } from 'node:http'
import { inspect } from 'node:util'
import { serve } from '@hono/node-server'
import type { LeashApp } from '../app.js'
import { ConfigError } from '../config.js'
import { StoreUnavailableError } from '../errors.js'
import type { LogEntry } from '../log.js'
import { appFromEnv } from './app-from-env.js'
import { type Env, redactorFor } from './env.js'
import { type MetricsServer, serveMetrics } from './metrics-server.js'
import { serverOptionsFrom } from './server-options.js'

/** A running server: where it listens, and how to stop it (drains, then closes the socket, the bus and the store). */
export interface RunningServer {
  url: string
  /** Where `/metrics` is served (LEASH_METRICS_HOST and LEASH_METRICS_PORT); undefined without metrics. */
  metricsUrl?: string
  /** How long `close()` lets requests in flight finish before cutting them (ms; LEASH_SHUTDOWN_TIMEOUT). */
  readonly shutdownTimeoutMs: number
  close(): Promise<void>
}

/**
 * Reads the environment, wires the real adapters and listens. Throws `ConfigError` for a bad value;
 * the program (`bin.ts`) prints it and exits 1.
 */
export async function startServer(env: Env = process.env, quiet = false): Promise<RunningServer> {
  const options = serverOptionsFrom(env)
  const leash = await appFromEnv(env, { quiet })
  const { app, config, store, bus, listen, log } = leash
  const server = await new Promise<Server>((ready, fail) => {
    const s = serve(
      {
        fetch: app.fetch,
        ...listen,
        serverOptions: {
          headersTimeout: options.headersTimeoutMs,
          requestTimeout: options.requestTimeoutMs,
          keepAliveTimeout: options.keepAliveTimeoutMs,
          // Node checks the two timeouts above only this often (its default, 30 s, let slow headers last 82 s).
          connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs / 2),
        },
      },
      (info) => {
        log({
          msg: 'listening',
          url: `http://${info.address}:${info.port}`,
          store: store.kind,
          bus: bus.kind,
          access_ttl: config.accessTtl,
          idle_timeout: config.idleTimeout,
          absolute_timeout: config.absoluteTimeout,
        })
        ready(s as Server)
      },
    )
    s.once('error', fail)
  }).catch(async (error: unknown) => {
    await leash.close()
    throw error
  })
  server.maxConnections = options.maxConnections
  // On a socket of its own, never the public port; it stops after the drain (scrapes see the shutdown).
  let metricsServer: MetricsServer | undefined
  if (leash.metrics) {
    metricsServer = await serveMetrics(leash.metrics.prom, leash.metrics.listen, log).catch(
      async (error: unknown) => {
        await new Promise((done) => server.close(done))
        await leash.close()
        throw error
      },
    )
  }
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : listen.port
  let closing: Promise<void> | undefined
  const stop = async () => {
    await drain(server, app, options.shutdownTimeoutMs, log)
    await metricsServer?.close()
    await leash.close()
  }
  return {
    url: `http://${listen.hostname}:${port}`,
    ...(metricsServer && { metricsUrl: metricsServer.url }),
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    close: () => (closing ??= stop()),
  }
}

/**
 * Stops accepting, answers /readyz 503 on the connections still open, lets the requests in flight finish
 * (closing each keep-alive connection as soon as it is idle), and cuts what is left after `timeoutMs`.
 */
function drain(server: Server, app: LeashApp, timeoutMs: number, log: (entry: LogEntry) => void) {
  app.drain()
  return new Promise<void>((done) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100)
    const cut = setTimeout(() => {
      log({
        level: 'warn',
        msg: 'shutdown timeout: cutting the requests still in flight',
        timeout_ms: timeoutMs,
      })
      server.closeAllConnections()
    }, timeoutMs)
    server.close(() => {
      clearInterval(sweep)
      clearTimeout(cut)
      done()
    })
    server.closeIdleConnections()
  })
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
