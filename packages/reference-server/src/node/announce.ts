import type { Invalidation } from '../bus/types.js'
import type { LogEntry } from '../log.js'
import { createRedisBus } from './bus/redis.js'

/**
 * For the operator's commands: publishes `message` on the Redis bus at `url` once it is connected (within
 * `waitMs`), and resolves once every instance acknowledged it. False when Redis did not answer in time.
 */
export async function announce(
  url: string,
  message: Invalidation,
  log?: (entry: LogEntry) => void,
  waitMs = 3_000,
): Promise<boolean> {
  const bus = createRedisBus({ url, ...(log && { log }) })
  try {
    const deadline = Date.now() + waitMs
    while (!bus.live() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20))
    if (!bus.live()) return false
    await bus.publish(message)
    return true
  } finally {
    await bus.close()
  }
}
