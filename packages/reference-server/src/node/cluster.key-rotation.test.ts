import { spawn } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { createLoad, type Load } from '../../../../scripts/load-sessions.mjs'
import type { Store } from '../store/types.js'
import { type Instance, openSchema, seed, serverProgram, startInstance } from '../test/cluster.js'
import { databaseUrl, dropSchema, freshSchema, redisUrl, skipWithout } from '../test/services.js'

// The rotation proof (README: "Rotating the signing key"): three leash-server processes on one PostgreSQL
// and one Redis, under steady load from many sessions (scripts/load-sessions.mjs, the load generator's
// own client), rotated in the documented steps: add the new key everywhere → make it the signer → wait
// the access-token lifetime → retire the old one. Zero forced sign-ins, zero 5xx, at most one refresh per
// session caused by the rotation (answered after a token of a retired key). Once with the database keyring (`leash-server keys`), once with the
// environment's (a rolling restart per step, each instance taken out of the balancer before it stops).

const SESSIONS = 30
const ACCESS_TTL = 3 // s: with REFRESH_BEFORE, every session refreshes every 2 s
const REFRESH_BEFORE = 1
const THINK_MS = 150
const OLD = 'rotation-test-old-secret-0123456789abcdef'
const NEW = 'rotation-test-new-secret-fedcba9876543210'
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** Runs `leash-server keys …` (the bundled program, as an operator would); resolves with its output. */
async function keysCommand(env: Record<string, string>, ...args: string[]): Promise<string> {
  const child = spawn(process.execPath, [await serverProgram(), 'keys', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (c: Buffer) => {
    out += c
  })
  child.stderr.on('data', (c: Buffer) => {
    out += c
  })
  const code = await new Promise<number | null>((done) => child.once('exit', done))
  if (code !== 0) throw new Error(`leash-server keys ${args.join(' ')}: exit ${code}\n${out}`)
  return out
}

/** The load, its sessions running, and what it found once stopped. */
async function underLoad(pool: Instance[], rotate: () => Promise<void>) {
  const load: Load = createLoad({
    ports: () => pool.map((i) => Number(new URL(i.url).port)),
    username: (i) => `rot${i}`,
    password: (i) => `rot${i}-password`,
    refreshBefore: REFRESH_BEFORE,
    thinkMs: THINK_MS,
    onAnswer: ({ method, path, status, error }) => {
      if (status === 'network')
        console.warn(`no answer to ${method} ${path}: ${error?.code} ${error?.message}`)
    },
  })
  const sessions: Promise<void>[] = []
  for (let i = 0; i < SESSIONS; i++) {
    sessions.push(load.session(i))
    if (i % 10 === 9) await sleep(100)
  }
  await sleep(2_500) // steady before the rotation
  const started = Date.now()
  await rotate()
  await sleep(2_500) // steady after it, on the new key alone
  const seconds = (Date.now() - started) / 1000
  load.stop()
  await Promise.all(sessions)
  load.close()
  return { ...load, seconds }
}

/** The verdict on a run: no sign-in forced, no 5xx, no network error, one unscheduled refresh at most. */
function expectNoOneSignedOut(run: Awaited<ReturnType<typeof underLoad>>) {
  const { counts, refreshesOf } = run
  const fives = Object.entries(counts.byStatus).filter(([status]) => Number(status) >= 500)
  const count = (why: string) => [...refreshesOf.values()].map((r) => r.filter((w) => w === why).length)
  // A refresh the rotation caused is one after a token of a retired key (its challenge says so); one after
  // a token that expired in flight (a slow answer on a loaded machine) happens with or without a rotation.
  const retired = count('retired')
  const inFlight = count('expired')
  console.info(
    JSON.stringify({
      rotationSeconds: run.seconds,
      requests: counts.requests,
      refreshes: counts.refreshes,
      expiredThenRefreshed: counts.expiredThenRefreshed,
      refreshesAfterRetiredKey: retired.reduce((a, b) => a + b, 0),
      maxRefreshesAfterRetiredKeyPerSession: Math.max(...retired),
      refreshesAfterExpiryInFlight: inFlight.reduce((a, b) => a + b, 0),
      byStatus: counts.byStatus,
    }),
  )
  expect(counts.logins).toBe(SESSIONS)
  expect(counts.signedOut).toBe(0)
  expect(fives).toEqual([])
  expect(counts.errors).toBe(0)
  expect(Math.max(...retired)).toBeLessThanOrEqual(1)
  // Every session went on refreshing on schedule through the rotation (each token lives 3 s).
  for (const refreshes of refreshesOf.values()) expect(refreshes.length).toBeGreaterThanOrEqual(3)
}

const skip = skipWithout(['database', 'redis'], 'key rotation under load')
describe.skipIf(skip)(`rotating the signing key under load${skip ? ` (${skip})` : ''}`, () => {
  const schemas: string[] = []
  const stores: Store[] = []
  const instances: Instance[] = []
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()))
    await Promise.all(stores.map((s) => s.close()))
    await Promise.all(schemas.map((s) => dropSchema(s)))
  }, 30_000)

  async function cluster(env: Record<string, string | undefined>) {
    const schema = freshSchema()
    schemas.push(schema)
    const store = await openSchema(databaseUrl!, schema)
    stores.push(store)
    await seed(
      store,
      Array.from({ length: SESSIONS }, (_, i) => `rot${i}`),
    )
    const base = {
      LEASH_DATABASE: `${databaseUrl}?schema=${schema}`,
      LEASH_REDIS_URL: redisUrl!,
      LEASH_ACCESS_TTL: String(ACCESS_TTL),
    }
    const start = async (name: string, more: Record<string, string | undefined>) => {
      const instance = await startInstance(name, { ...base, ...more })
      instances.push(instance)
      return instance
    }
    const pool = await Promise.all(['A', 'B', 'C'].map((name) => start(name, env)))
    return { base, pool, start }
  }

  it('with the database keyring: leash-server keys add, use, (access-token lifetime), retire', async () => {
    const env = { LEASH_GLOBAL_SECRET: undefined, LEASH_GLOBAL_SECRETS: 'database' }
    const { base, pool } = await cluster(env)
    const cli = { ...base, LEASH_GLOBAL_SECRETS: 'database' } as Record<string, string>
    const run = await underLoad(pool, async () => {
      await keysCommand(cli, 'add', 'k2')
      await keysCommand(cli, 'use', 'k2')
      await sleep(ACCESS_TTL * 1000 + 500)
      await keysCommand(cli, 'retire', 'default')
    })
    expect(await keysCommand(cli, 'list')).toMatch(/^k2\tsigner\t/)
    expectNoOneSignedOut(run)
  }, 60_000)

  it('with LEASH_GLOBAL_SECRETS: a rolling restart per step', async () => {
    const { pool, start } = await cluster({ LEASH_GLOBAL_SECRET: OLD })
    /** Replaces every instance, one at a time, out of the balancer before it stops. */
    const rollTo = async (env: Record<string, string | undefined>) => {
      for (let n = 0; n < pool.length; n++) {
        const old = pool.splice(n, 1)[0]!
        // As a balancer deregisters a backend (a preStop delay): requests already headed for it land
        // before it stops accepting, instead of meeting a closed port.
        await sleep(500)
        await old.stop()
        pool.splice(n, 0, await start(old.name, { LEASH_GLOBAL_SECRET: undefined, ...env }))
      }
    }
    const run = await underLoad(pool, async () => {
      await rollTo({ LEASH_GLOBAL_SECRETS: `default:${OLD},k2:${NEW}`, LEASH_SIGNING_KEY: 'default' })
      await rollTo({ LEASH_GLOBAL_SECRETS: `default:${OLD},k2:${NEW}`, LEASH_SIGNING_KEY: 'k2' })
      await sleep(ACCESS_TTL * 1000 + 500)
      await rollTo({ LEASH_GLOBAL_SECRETS: `k2:${NEW}`, LEASH_SIGNING_KEY: 'k2' })
    })
    expectNoOneSignedOut(run)
  }, 90_000)
})
