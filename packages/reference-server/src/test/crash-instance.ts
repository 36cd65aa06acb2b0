import { serve } from '@hono/node-server'
import { createApp } from '../app.js'
import { createScryptHasher } from '../node/auth/scrypt-hasher.js'
import { createRedisBus } from '../node/bus/redis.js'
import { createPostgresStore } from '../node/store/postgres.js'
import { nodeCodec } from '../node/tokens/node-codec.js'
import { crashAfterCommit } from './crash-after-commit.js'

// A child program for the kill -9 test (cluster.kill-after-commit.test.ts), bundled by the test, never
// shipped: a Leash instance on CRASH_DATABASE_URL (schema CRASH_SCHEMA) and CRASH_REDIS_URL whose first revoking commit prints
// {"msg":"committed"} and stops it from publishing anything more, so that the test can SIGKILL it exactly
// between the commit and the publish. It serves revocations only: a sign-in is a revoking commit too.

const env = process.env
const store = createPostgresStore({ url: env.CRASH_DATABASE_URL!, schema: env.CRASH_SCHEMA!, max: 2 })
await store.ready()
const bus = createRedisBus({ url: env.CRASH_REDIS_URL! })
const say = (entry: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(entry)}\n`)
const fault = crashAfterCommit(store, bus, () => say({ msg: 'committed' }))
void fault.arm()
const app = createApp({
  store: fault.store,
  bus: fault.bus,
  globalSecret: env.LEASH_GLOBAL_SECRET!,
  hasher: createScryptHasher(),
  codec: nodeCodec,
  clientIp: () => '127.0.0.1',
})
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
  say({ msg: 'listening', url: `http://127.0.0.1:${info.port}` }),
)
