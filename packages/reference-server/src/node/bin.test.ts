import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { GLOBAL_SECRET, serverProgram, startInstance } from '../test/cluster.js'

// The `leash-server` program (src/bin.ts, bundled from the sources): configured by the environment, stopped
// by SIGTERM, and refusing a bad setting with a message naming it and exit code 1.

/** Runs the program to its exit; returns its exit code and what it wrote to stderr. */
async function run(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [await serverProgram(), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const code = await new Promise<number | null>((done) => child.once('exit', done))
  return { code, stderr }
}

describe('the leash-server program', () => {
  it('exits 1 naming a bad variable', async () => {
    expect(await run({ LEASH_ACCESS_TTL: 'abc', LEASH_DATABASE: 'sqlite::memory:' })).toEqual({
      code: 1,
      stderr: 'leash: LEASH_ACCESS_TTL must be a whole number of seconds, got "abc"\n',
    })
  })

  it('runs an operator command instead of serving when given one, and exits 1 on an unknown one', async () => {
    expect(
      await run({ LEASH_DATABASE: 'postgres://leash:hunter2@db:5432/leash' }, ['backup', 'x.db']),
    ).toEqual({
      code: 1,
      stderr:
        "leash: backup copies the SQLite file; on PostgreSQL back up with pg_dump (or your provider's snapshots)\n",
    })
    const unknown = await run({}, ['bakup'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^leash: unknown command "bakup"\nusage: leash-server /)
  })

  it('serves until SIGTERM, then exits 0', async () => {
    const server = await startInstance('bin', {
      LEASH_DATABASE: 'sqlite::memory:',
      LEASH_GLOBAL_SECRET: GLOBAL_SECRET,
    })
    const health = await fetch(`${server.url}/healthz`)
    expect(await health.json()).toMatchObject({ status: 'ok' })
    await server.stop()
    expect(server.child.exitCode).toBe(0)
  })
})
