import { ServerBusyError } from '../errors.js'
import type { Metrics } from '../metrics.js'
import type { PasswordHasher } from './passwords.js'

export interface HashGateOptions {
  /** Hashes (and verifies) that may run at once. */
  concurrency: number
  /** Hashes that may wait for a free slot; the one after them is refused with `ServerBusyError`. */
  queue: number
  /** A millisecond clock to time hashes with, for `Retry-After` (default `performance.now()`). */
  now?: () => number
  /** Told each hash's wait for a slot and every change of the gate's occupancy. */
  metrics?: Pick<Metrics, 'hashWaited' | 'hashGate'>
}

/** Assumed for a hash until one has been timed. */
const FIRST_GUESS_MS = 1000

/**
 * Wraps a hasher so that at most `concurrency` hashes run at once and at most `queue` wait. A password
 * hash is deliberately expensive (scrypt: 128 MiB and a core for about half a second), so without a cap a
 * burst of logins takes every core and every libuv pool thread, and the memory, from all other requests.
 * Beyond the queue a call throws `ServerBusyError` at once, without hashing, carrying the seconds the work
 * already ahead should take (from the hashes timed so far).
 *
 * @example const hasher = createHashGate(createScryptHasher(), { concurrency: 1, queue: 32 })
 */
export function createHashGate(hasher: PasswordHasher, options: HashGateOptions): PasswordHasher {
  const { concurrency, queue } = options
  const now = options.now ?? (() => performance.now())
  const metrics = options.metrics
  let running = 0
  const waiting: Array<() => void> = []
  let averageMs = 0

  const retryAfter = () => {
    const rounds = Math.ceil((running + waiting.length) / concurrency)
    return Math.max(1, Math.ceil((rounds * (averageMs || FIRST_GUESS_MS)) / 1000))
  }

  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    const arrived = now()
    if (running < concurrency) running += 1
    else if (waiting.length < queue) {
      const queued = new Promise<void>((go) => waiting.push(go))
      metrics?.hashGate(running, waiting.length)
      await queued
    } else throw new ServerBusyError(retryAfter())
    const started = now()
    metrics?.hashWaited((started - arrived) / 1000)
    metrics?.hashGate(running, waiting.length)
    try {
      return await work()
    } finally {
      const ms = now() - started
      averageMs = averageMs === 0 ? ms : averageMs * 0.8 + ms * 0.2
      // The slot passes straight to the first in line, so a newcomer cannot overtake the queue.
      const next = waiting.shift()
      if (next) next()
      else running -= 1
      metrics?.hashGate(running, waiting.length)
    }
  }

  return {
    hash: (password) => run(() => hasher.hash(password)),
    verify: (password, stored) => run(() => hasher.verify(password, stored)),
  }
}
