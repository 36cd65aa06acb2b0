import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../config.js'
import { createMemoryStore } from '../store/memory.js'
import { databaseUrl, dropSchema, freshSchema, redisUrl, skipWithout } from '../test/services.js'
import { logFromEnv, redactorFor } from './env.js'
import { keysFromEnv, parseKeyList } from './keyring-env.js'
import { runKeysCli } from './keys-cli.js'
import { startServer, startupFailure } from './main.js'

const S1 = 'first-secret-of-the-keyring-0123456789'
const S2 = 'second-secret-of-the-keyring-987654321'
const memory = { store: createMemoryStore(), dataDir: null }
const keysOf = (env: Record<string, string>) => keysFromEnv(env, memory, () => {})

describe('LEASH_GLOBAL_SECRETS and LEASH_SIGNING_KEY', () => {
  it('read a list of id:secret with an explicit signer; LEASH_GLOBAL_SECRET is the key `default`', async () => {
    const listed = await keysOf({ LEASH_GLOBAL_SECRETS: `default:${S1}, k2:${S2}`, LEASH_SIGNING_KEY: 'k2' })
    expect(listed.keyring).toEqual({
      signer: 'k2',
      keys: [
        { id: 'default', secret: S1 },
        { id: 'k2', secret: S2 },
      ],
    })
    expect((await keysOf({ LEASH_GLOBAL_SECRET: S1 })).keyring).toEqual({
      signer: 'default',
      keys: [{ id: 'default', secret: S1 }],
    })
    // A secret may hold a colon: only the first one ends the id.
    expect(parseKeyList(`a:${S1}:more`, 'a').keys[0]!.secret).toBe(`${S1}:more`)
  })

  it.each([
    [{ LEASH_GLOBAL_SECRET: S1, LEASH_GLOBAL_SECRETS: `a:${S2}`, LEASH_SIGNING_KEY: 'a' }, /not both/],
    [{ LEASH_GLOBAL_SECRETS: `a:${S1}` }, /LEASH_SIGNING_KEY must name the key that signs, one of a/],
    [
      { LEASH_GLOBAL_SECRETS: `a:${S1}`, LEASH_SIGNING_KEY: 'b' },
      /LEASH_SIGNING_KEY "b" is not one of its keys/,
    ],
    [{ LEASH_GLOBAL_SECRET: S1, LEASH_SIGNING_KEY: 'default' }, /LEASH_SIGNING_KEY goes with/],
    [{ LEASH_GLOBAL_SECRETS: S1, LEASH_SIGNING_KEY: 'a' }, /entry 1 must be id:secret/],
    [{ LEASH_GLOBAL_SECRETS: `a:${S1},bad id:${S2}`, LEASH_SIGNING_KEY: 'a' }, /entry 2 must be id:secret/],
    [{ LEASH_GLOBAL_SECRETS: `a:${S1},a:${S2}`, LEASH_SIGNING_KEY: 'a' }, /"a" appears twice/],
    [{ LEASH_GLOBAL_SECRETS: `a:${S1},b:short-secret`, LEASH_SIGNING_KEY: 'a' }, /secret of key "b"/],
    [{ LEASH_GLOBAL_SECRETS: 'database' }, /needs LEASH_DATABASE to be PostgreSQL/],
    [{ NODE_ENV: 'production' }, /LEASH_GLOBAL_SECRET \(or LEASH_GLOBAL_SECRETS\) is required/],
  ])('refuses %j, naming no secret', async (env, message) => {
    const failure = keysOf(env as Record<string, string>)
    await expect(failure).rejects.toThrow(message)
    await expect(failure).rejects.toBeInstanceOf(ConfigError)
    const text = String(await failure.catch((e: unknown) => e))
    for (const secret of [S1, S2, 'short-secret']) expect(text).not.toContain(secret)
  })

  it('their secrets are scrubbed from logs and startup errors; the word database is not', () => {
    const env = { LEASH_GLOBAL_SECRETS: `a:${S1},b:${S2}`, LEASH_SIGNING_KEY: 'a' }
    const scrub = redactorFor(env)
    expect(scrub(`x ${S1} y ${S2} z`)).toBe('x *** y *** z')
    expect(startupFailure(new Error(`boom ${S2}`), env)).not.toContain(S2)
    expect(redactorFor({ LEASH_GLOBAL_SECRET: S1 })(`a ${S1}`)).toBe('a ***')
    expect(redactorFor({ LEASH_GLOBAL_SECRETS: 'database' })('the database keyring')).toBe(
      'the database keyring',
    )
    const lines: string[] = []
    const write = process.stdout.write
    process.stdout.write = ((chunk: string) => {
      lines.push(chunk)
      return true
    }) as typeof process.stdout.write
    try {
      logFromEnv(env).log({ level: 'warn', msg: `driver said ${S1}`, error: `and ${S2}` })
    } finally {
      process.stdout.write = write
    }
    expect(lines.join('')).toContain('driver said ***')
    expect(lines.join('')).not.toContain(S2)
  })

  it('the keys command refuses the environment forms, and prints its usage for anything else', async () => {
    const out: string[] = []
    expect(await runKeysCli(['list'], { LEASH_DATABASE: 'sqlite::memory:' }, (l) => out.push(l))).toBe(1)
    expect(out.at(-1)).toMatch(/PostgreSQL/)
    const pg = { LEASH_DATABASE: 'postgres://u:p@127.0.0.1:1/db', LEASH_GLOBAL_SECRET: S1 }
    expect(await runKeysCli(['list'], pg, (l) => out.push(l))).toBe(1)
    expect(out.at(-1)).toMatch(/rotate them there/)
    expect(out.join('\n')).not.toContain(S1)
    expect(await runKeysCli(['use'], pg, (l) => out.push(l))).toBe(2)
    expect(await runKeysCli(['drop', 'x'], pg, (l) => out.push(l))).toBe(2)
    expect(out.at(-1)).toMatch(/^usage: leash-server keys/)
  })
})

const skip = skipWithout(['database', 'redis'], 'leash-server keys on PostgreSQL + Redis')
describe.skipIf(skip)(`leash-server keys on PostgreSQL + Redis${skip ? ` (${skip})` : ''}`, () => {
  const schema = freshSchema()
  afterAll(() => dropSchema(schema))

  it('add, use and retire reach a running instance at once, without a restart; list prints no secret', async () => {
    const env = {
      LEASH_DATABASE: `${databaseUrl}?schema=${schema}`,
      LEASH_REDIS_URL: redisUrl!,
      LEASH_PORT: '0',
      LEASH_IP_RATE: '1000000',
      LEASH_LOG: 'none',
    }
    const one = await startServer({ ...env, LEASH_SEED_USERS: 'kim:kim-password-1' }, true)
    const two = await startServer(env, true)
    const out: string[] = []
    const keys = (...args: string[]) => runKeysCli(args, env, (line) => out.push(line))
    const login = async () => {
      const res = await fetch(`${one.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'kim', password: 'kim-password-1', refresh_transport: 'body' }),
      })
      return ((await res.json()) as { access_token: string }).access_token
    }
    const kid = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid
    const me = async (url: string, token: string) => {
      const res = await fetch(`${url}/auth/me`, { headers: { authorization: `Bearer ${token}` } })
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code }
    }
    try {
      const old = await login()
      expect(kid(old)).toBe('default') // the development secret became the ring's first key
      expect(await keys('add', 'k2')).toBe(0)
      expect(await keys('use', 'nope')).toBe(1)
      expect(out.at(-1)).toMatch(/holds no key "nope"/)
      expect(await keys('retire', 'default')).toBe(1)
      expect(out.at(-1)).toMatch(/signs new tokens/)
      expect(await keys('use', 'k2')).toBe(0)
      expect(out.at(-1)).toMatch(/every instance on the Redis bus was told/)
      const fresh = await login()
      expect(kid(fresh)).toBe('k2')
      for (const url of [one.url, two.url]) {
        expect((await me(url, fresh)).status).toBe(200)
        expect((await me(url, old)).status).toBe(200)
      }
      expect(await keys('retire', 'default')).toBe(0)
      for (const url of [one.url, two.url]) {
        expect(await me(url, old)).toEqual({ status: 401, code: 'token_expired' })
        expect((await me(url, fresh)).status).toBe(200)
      }
      out.length = 0
      expect(await keys('list')).toBe(0)
      expect(out).toHaveLength(1)
      expect(out[0]).toMatch(/^k2\tsigner\t\d{4}-/)
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  }, 30_000)
})
