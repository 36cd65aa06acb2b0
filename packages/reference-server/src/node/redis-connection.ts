import type { Redis, RedisOptions } from 'ioredis'

/** Connection options that never let a command wait for long: no offline queue, one try, a timeout. */
export function boundedRedisOptions(commandTimeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2_000,
    // Reconnect forever, backing off to one attempt a second.
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    lazyConnect: false,
  }
}

/** QUIT when Redis answers, otherwise drop the socket: closing never waits on a dead server. */
export async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return
  await Promise.race([client.quit().catch(() => {}), new Promise((done) => setTimeout(done, 500))])
  client.disconnect(false)
}
