import { ConfigError, seconds } from '../config.js'
import type { Env } from './env.js'

/** How `startServer`'s socket behaves: timeouts against slow clients, a connection cap, the drain on stop. */
export interface ServerOptions {
  /** A request whose headers have not all arrived by then is answered 408 and its socket closed (ms). */
  headersTimeoutMs: number
  /** A request (headers and body) not received in full by then is answered 408 and closed (ms). */
  requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number
  /** Connections at once; one more is closed as it is accepted, so file descriptors stay for the database. */
  maxConnections: number
  /** On SIGTERM, requests in flight get this long to finish before their sockets are cut (ms). */
  shutdownTimeoutMs: number
}

/**
 * LEASH_HEADERS_TIMEOUT (s, default 10), LEASH_REQUEST_TIMEOUT (s, default 30), LEASH_KEEPALIVE_TIMEOUT
 * (s, default 5: longer than the idle timeout of a proxy that reuses connections), LEASH_MAX_CONNECTIONS
 * (default 1000: below the usual limit of 1,024 open files, less what the database and Redis take) and
 * LEASH_SHUTDOWN_TIMEOUT (s, default 10). Node's own defaults let 1,100 slowloris connections refuse every
 * new visitor and cut slow headers only after 82 s.
 */
export function serverOptionsFrom(env: Env): ServerOptions {
  const headers = seconds(env, 'LEASH_HEADERS_TIMEOUT', 10, 3600)
  const request = seconds(env, 'LEASH_REQUEST_TIMEOUT', 30, 3600)
  if (headers > request)
    throw new ConfigError(
      `LEASH_HEADERS_TIMEOUT (${headers} s) cannot be longer than LEASH_REQUEST_TIMEOUT (${request} s)`,
    )
  const rawMax = env.LEASH_MAX_CONNECTIONS?.trim()
  let maxConnections = 1000
  if (rawMax) {
    if (!/^\d+$/.test(rawMax) || Number(rawMax) < 1 || Number(rawMax) > 1_000_000)
      throw new ConfigError(
        `LEASH_MAX_CONNECTIONS must be a whole number between 1 and 1000000, got "${env.LEASH_MAX_CONNECTIONS}"`,
      )
    maxConnections = Number(rawMax)
  }
  return {
    headersTimeoutMs: headers * 1000,
    requestTimeoutMs: request * 1000,
    keepAliveTimeoutMs: seconds(env, 'LEASH_KEEPALIVE_TIMEOUT', 5, 3600) * 1000,
    maxConnections,
    shutdownTimeoutMs: seconds(env, 'LEASH_SHUTDOWN_TIMEOUT', 10, 3600) * 1000,
  }
}
