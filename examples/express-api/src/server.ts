import { createServer, type Server } from 'node:http'
import { appFromEnv } from '@leash/reference-server/node'
import { createApi } from './app.js'

/** The example as a running server: where it listens, and how to stop it. */
export interface RunningApi {
  url: string
  close(): Promise<void>
}

/**
 * Reads the `LEASH_*` variables as the Leash server does (SQLite at ./data/leash.db by default, LEASH_PORT
 * 8787, LEASH_SEED_USERS, LEASH_REDIS_URL, …), builds the Express app around it and listens.
 */
export async function startApi(env: Record<string, string | undefined> = process.env): Promise<RunningApi> {
  const leash = await appFromEnv(env)
  const server = await new Promise<Server>((ready, fail) => {
    const s = createServer(createApi(leash))
    s.once('error', fail)
    s.listen(leash.listen.port, leash.listen.hostname, () => ready(s))
  }).catch(async (error: unknown) => {
    await leash.close()
    throw error
  })
  const address = server.address()
  const url = `http://${leash.listen.hostname}:${typeof address === 'object' && address ? address.port : leash.listen.port}`
  leash.log({ msg: 'listening', url, store: leash.store.kind, bus: leash.bus.kind })
  return {
    url,
    close: async () => {
      await new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      })
      await leash.close()
    },
  }
}
