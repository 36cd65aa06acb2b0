import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { workspaceSourcesPlugin } from '../../../../test/workspace-sources.js'
import { createScryptHasher } from '../node/auth/scrypt-hasher.js'
import { createPostgresStore } from '../node/store/postgres.js'
import type { Role, Store, UserRecord } from '../store/types.js'
import { randomId, randomToken } from '../tokens/random.js'

const packageDir = fileURLToPath(new URL('../../', import.meta.url))
const cacheDir = `${packageDir}node_modules/.cache/leash-cluster`

const bundles = new Map<string, Promise<string>>()
/**
 * The server program (`bin.ts`, or another entry under src/) bundled from the current sources with esbuild,
 * dependencies left to node_modules: child processes run exactly what the tests see, with no prior `tsc -b`
 * and no race on dist/.
 */
export function serverProgram(entry = 'node/bin.ts'): Promise<string> {
  let bundle = bundles.get(entry)
  bundle ??= (async () => {
    mkdirSync(cacheDir, { recursive: true })
    // Bundles of earlier runs: each test file makes its own, so old ones are swept here.
    for (const file of readdirSync(cacheDir)) {
      const path = `${cacheDir}/${file}`
      try {
        if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { force: true })
      } catch {} // swept by another test file meanwhile
    }
    const outfile = `${cacheDir}/main-${process.pid}-${randomId().slice(0, 8)}.mjs`
    await build({
      entryPoints: [`${packageDir}src/${entry}`],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external', // but the workspace's own, from their sources:
      plugins: [workspaceSourcesPlugin()],
      logLevel: 'error',
    })
    return outfile
  })()
  bundles.set(entry, bundle)
  return bundle
}

/** A server instance in a child process. */
export interface Instance {
  readonly name: string
  url: string
  readonly child: ChildProcess
  /** Every line it wrote (JSON log lines and anything else). */
  readonly lines: string[]
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>
  /** SIGTERM (graceful close), and wait. */
  stop(): Promise<void>
}

export const GLOBAL_SECRET = 'cluster-test-global-secret-0123456789abcdef'

/**
 * Starts the server program in a child process on an ephemeral 127.0.0.1 port; resolves once it listens.
 * `options.program` runs another build of it (an installed `leash-server`), in `options.cwd`. A variable
 * given as undefined is not set (`LEASH_GLOBAL_SECRET: undefined` for the keyring forms).
 */
export async function startInstance(
  name: string,
  env: Record<string, string | undefined>,
  options: { program?: string; cwd?: string } = {},
): Promise<Instance> {
  const program = options.program ?? (await serverProgram())
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '',
    LEASH_HOST: '127.0.0.1',
    LEASH_PORT: '0',
    LEASH_GLOBAL_SECRET: GLOBAL_SECRET,
    LEASH_LOG: 'warn',
    // Every test signs in from 127.0.0.1, and every instance on the shared Redis counts that one address.
    LEASH_IP_RATE: '1000000',
    ...env,
  }
  const child = spawn(process.execPath, [program], {
    cwd: options.cwd,
    env: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const url = await new Promise<string>((ready, fail) => {
    let buffered = ''
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString()
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        lines.push(line)
        if (line.includes('"msg":"listening"')) ready((JSON.parse(line) as { url: string }).url)
        nl = buffered.indexOf('\n')
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) =>
      fail(new Error(`${name} exited (${code}) before listening:\n${lines.join('\n')}`)),
    )
    setTimeout(
      () => fail(new Error(`${name} did not listen within 20 s:\n${lines.join('\n')}`)),
      20_000,
    ).unref()
  })
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig)
    await exited
  }
  return { name, url, child, lines, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') }
}

/** A free TCP port on 127.0.0.1 (for a Redis the test starts itself). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

// The server's hasher (OWASP scrypt) reads N, r and p from each stored hash, so users made with a cheap
// N log in through the real server in about a millisecond: a test can seed a thousand of them quickly.
const cheapHasher = createScryptHasher({ N: 1024, r: 8, p: 1 })

/** A PostgreSQL store on `schema` (migrated) for seeding and inspecting what the instances share. */
export async function openSchema(url: string, schema: string): Promise<Store> {
  const store = createPostgresStore({ url, schema, max: 4 })
  await store.ready()
  return store
}

/** Creates users directly in the store, each with the password `<username>-password`. */
export async function seed(store: Store, names: string[], role: Role = 'user'): Promise<UserRecord[]> {
  const users: UserRecord[] = []
  for (const username of names) {
    users.push(
      await store.createUser({
        id: randomId(),
        username,
        passwordHash: await cheapHasher.hash(`${username}-password`),
        role,
        enabled: true,
        secret: randomToken(32),
        createdAt: Date.now(),
        email: null,
        emailVerified: false,
      }),
    )
  }
  return users
}

/** One HTTP call; returns status and parsed body (never throws on a status). */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string } } }> {
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : {} }
}

/** Signs in (body transport) and returns both tokens. */
export async function login(base: string, username: string) {
  const res = await call(base, 'POST', '/auth/login', {
    body: { username, password: `${username}-password`, refresh_transport: 'body' },
  })
  if (res.status !== 200)
    throw new Error(`login ${username} on ${base}: ${res.status} ${JSON.stringify(res.body)}`)
  return {
    access: res.body.access_token as string,
    refresh: res.body.refresh_token as string,
    sid: (res.body.session as { id: string }).id,
  }
}

/** Polls until `check` holds (or throws after `ms`). */
export async function until(check: () => Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((done) => setTimeout(done, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** p-th percentile (0–100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}
