import { ConfigError } from '@leash/reference-server'
import { verifierFromEnv } from '@leash/reference-server/node'
import { createService } from './service.js'

type Env = Record<string, string | undefined>

/** SERVICE_PORT (default 8788, beside the Leash server's 8787) and SERVICE_HOST (default 127.0.0.1). */
function listenOptions(env: Env) {
  const port = Number(env.SERVICE_PORT ?? 8788)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`SERVICE_PORT must be a port number, got "${env.SERVICE_PORT}"`)
  return { port, host: env.SERVICE_HOST || '127.0.0.1' }
}

/** The service as a running server: where it listens, and how to stop it. */
export interface RunningService {
  url: string
  close(): Promise<void>
}

/**
 * Reads the Leash server's own variables (LEASH_DATABASE, which must be its PostgreSQL; LEASH_REDIS_URL,
 * which must be set; LEASH_GLOBAL_SECRET; LEASH_LOG), builds the Fastify service and listens.
 */
export async function startService(env: Env = process.env): Promise<RunningService> {
  const listen = listenOptions(env)
  const leash = await verifierFromEnv(env)
  const app = await createService(leash)
  try {
    const url = await app.listen(listen)
    leash.log({ msg: 'listening', url, store: leash.store.kind, bus: leash.bus.kind })
    return {
      url,
      close: async () => {
        await app.close()
        await leash.close()
      },
    }
  } catch (error) {
    await leash.close()
    throw error
  }
}
