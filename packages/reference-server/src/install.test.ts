import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GLOBAL_SECRET, startInstance } from './test/cluster.js'

// The package as a user installs it: packed (`npm pack` builds it through `prepack`), installed from the
// tarballs into an empty folder. The portable package must bring no native module and no database driver;
// the drivers are optional peers that `leash-server` asks for by name.

const run = promisify(execFile)
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const drivers = ['better-sqlite3', 'pg', 'ioredis', 'prom-client', 'nodemailer']
let dir = ''
let app = ''

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leash-install-'))
  app = join(dir, 'app')
  mkdirSync(app)
  await run(
    'npm',
    [
      'pack',
      '--workspace',
      '@leash/protocol',
      '--workspace',
      '@leash/reference-server',
      '--pack-destination',
      dir,
    ],
    { cwd: repoRoot },
  )
  const tarballs = readdirSync(dir)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(dir, f))
  expect(tarballs).toHaveLength(2)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: app })
}, 240_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Every package folder `npm ls` finds in the app's tree. */
async function installed(): Promise<string[]> {
  const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: app })
  return stdout.split('\n').filter(Boolean)
}

describe('@leash/reference-server installed from its tarball', () => {
  it('installs no database driver and no native module', async () => {
    const paths = await installed()
    expect(paths.some((p) => p.endsWith('node_modules/@leash/reference-server'))).toBe(true)
    expect(paths.filter((p) => drivers.some((d) => p.endsWith(`node_modules/${d}`)))).toEqual([])
    const native = paths.filter((p) => existsSync(join(p, 'binding.gyp')) || existsSync(join(p, 'prebuilds')))
    expect(native).toEqual([])
  })

  it('imports its portable and Node entries with no driver installed', async () => {
    const script =
      "const core = await import('@leash/reference-server');" +
      "const node = await import('@leash/reference-server/node');" +
      'console.log(typeof core.createApp, typeof core.createVerifier, typeof node.startServer)'
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app })
    expect(stdout.trim()).toBe('function function function')
  })

  it('leash-server without better-sqlite3 exits 1 naming the package to install', async () => {
    const program = join(app, 'node_modules/.bin/leash-server')
    const failed = await run(process.execPath, [program], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', LEASH_GLOBAL_SECRET: GLOBAL_SECRET },
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr).toMatch(
      /needs the package better-sqlite3, which is not installed: npm install better-sqlite3/,
    )
  })

  it('leash-server with LEASH_METRICS_PORT but without prom-client exits 1 naming the package to install', async () => {
    const program = join(app, 'node_modules/.bin/leash-server')
    const failed = await run(process.execPath, [program], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', LEASH_GLOBAL_SECRET: GLOBAL_SECRET, LEASH_METRICS_PORT: '0' },
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr).toMatch(
      /Metrics \(LEASH_METRICS_PORT\) needs the package prom-client, which is not installed: npm install prom-client/,
    )
  })

  it('leash-server with better-sqlite3 beside it serves on SQLite by default', async () => {
    // Stands in for `npm install better-sqlite3`, whose native build takes minutes here: the copy the
    // repository installed, linked into the app's node_modules.
    symlinkSync(join(repoRoot, 'node_modules/better-sqlite3'), join(app, 'node_modules/better-sqlite3'))
    const server = await startInstance(
      'installed',
      {},
      { program: join(app, 'node_modules/.bin/leash-server'), cwd: app },
    )
    try {
      const health = await fetch(`${server.url}/healthz`)
      expect(health.status).toBe(200)
      expect(existsSync(join(app, 'data/leash.db'))).toBe(true)
    } finally {
      await server.stop()
    }
    expect(server.child.exitCode).toBe(0)
  })
})
