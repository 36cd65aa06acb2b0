import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCommand } from './commands.js'
import { sqliteDriver } from './drivers.js'
import { type RunningServer, startServer } from './main.js'

// The operator's commands of `leash-server`: an online backup of the SQLite file, and revoke-all, which a
// restore needs (a backup brings back every session revoked since it was taken).

const dir = mkdtempSync(join(tmpdir(), 'leash-ops-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = join(dir, 'leash.db')
const env = {
  LEASH_DATABASE: `sqlite:${file}`,
  LEASH_GLOBAL_SECRET: 'ops-test-global-secret-0123456789abcdefghij',
  LEASH_HOST: '127.0.0.1',
  LEASH_PORT: '0',
  LEASH_LOG: 'none',
  LEASH_IP_RATE: '100000',
  LEASH_SEED_USERS: 'alice:alice-password-kept-long',
}

interface Tokens {
  access_token: string
  refresh_token: string
}

async function post(server: RunningServer, path: string, body: unknown, token?: string) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  })
}
const signIn = async (server: RunningServer): Promise<Tokens> => {
  const res = await post(server, '/auth/login', {
    username: 'alice',
    password: 'alice-password-kept-long',
    refresh_transport: 'body',
  })
  expect(res.status).toBe(200)
  return (await res.json()) as Tokens
}
const refresh = (server: RunningServer, tokens: Tokens) =>
  post(server, '/auth/refresh', { refresh_token: tokens.refresh_token })
const me = (server: RunningServer, tokens: Tokens) =>
  fetch(`${server.url}/auth/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })

describe('leash-server backup', () => {
  it('copies a database that is serving, consistently; a restore brings back revoked sessions until revoke-all', async () => {
    let server = await startServer(env, true)
    const backup = join(dir, 'backup.db')
    let laptop: Tokens
    try {
      laptop = await signIn(server)
      // Sign-ins keep writing while the copy is taken: the copy is one consistent snapshot all the same.
      const writing = Promise.all(Array.from({ length: 8 }, () => signIn(server)))
      const done = await runCommand('backup', [backup], env)
      await writing
      expect(done.stderr).toEqual([])
      expect(done.code).toBe(0)
      expect(done.stdout[0]).toMatch(
        /^leash: backed up .*leash\.db to .*backup\.db \(\d+ bytes, schema version \d+, 1 users, \d+ sessions not ended\)$/,
      )

      // Readable by its owner only (every user's secret and password hash is in it), self-contained.
      expect(statSync(backup).mode & 0o077).toBe(0)
      expect(existsSync(`${backup}-wal`)).toBe(false)
      const Sqlite = sqliteDriver()
      const copy = new Sqlite(backup, { readonly: true })
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete')
      copy.close()

      // After the backup, the laptop signs out.
      expect((await post(server, '/auth/logout', {}, laptop.access_token)).status).toBe(200)
      expect((await refresh(server, laptop)).status).toBe(401)
    } finally {
      await server.close()
    }

    // Restore: the server stopped, the copy put in place of the file (and the old WAL removed).
    copyFileSync(backup, file)
    rmSync(`${file}-wal`, { force: true })
    rmSync(`${file}-shm`, { force: true })
    server = await startServer(env, true)
    try {
      // What the runbook warns of: the signed-out laptop's session is live again in the restored file.
      const revived = await refresh(server, laptop)
      expect(revived.status).toBe(200)
      const after = (await revived.json()) as Tokens
      expect((await me(server, after)).status).toBe(200)

      const revoked = await runCommand('revoke-all', [], env)
      expect(revoked).toEqual({
        code: 0,
        stdout: ['leash: rotated the global epoch: every session and access token of every user has ended'],
        stderr: [],
      })
      // Every session ended in the store at once; access tokens as soon as the server's cached epoch
      // (at most 5 s old) is read again.
      expect((await refresh(server, after)).status).toBe(401)
      await expect.poll(async () => (await me(server, after)).status, { timeout: 8_000 }).toBe(401)
      // The event is in the audit trail, with no actor: an operator's command.
      const Sqlite = sqliteDriver()
      const db = new Sqlite(file, { readonly: true })
      const events = db
        .prepare("SELECT actor, user_agent FROM audit_events WHERE type = 'sessions.revoked_all'")
        .all()
      db.close()
      expect(events).toEqual([{ actor: null, user_agent: 'leash-server revoke-all' }])
    } finally {
      await server.close()
    }
  }, 30_000)

  it('never overwrites a file, and refuses what it cannot copy with a clear message', async () => {
    const taken = join(dir, 'taken.db')
    writeFileSync(taken, 'keep me')
    // The database of the first test is there still.
    expect(await runCommand('backup', [taken], env)).toEqual({
      code: 1,
      stdout: [],
      stderr: [`leash: backup: ${taken} exists; name a new file`],
    })
    expect(readFileSync(taken, 'utf8')).toBe('keep me')

    const refused = async (overrides: Record<string, string>, args = [join(dir, 'x.db')]) =>
      (await runCommand('backup', args, { ...env, ...overrides })).stderr.join('\n')
    expect(await refused({ LEASH_DATABASE: 'postgres://leash:hunter2@db:5432/leash' })).toBe(
      "leash: backup copies the SQLite file; on PostgreSQL back up with pg_dump (or your provider's snapshots)",
    )
    expect(await refused({ LEASH_DATABASE: 'sqlite::memory:' })).toMatch(/needs LEASH_DATABASE=sqlite:<path>/)
    const missing = join(dir, 'nowhere', 'leash.db')
    expect(await refused({ LEASH_DATABASE: `sqlite:${missing}` })).toBe(
      `leash: backup: there is no database at ${missing}`,
    )
    expect(existsSync(missing)).toBe(false) // not created empty by the attempt
    expect(await refused({}, [])).toBe('usage: leash-server backup <file>')
    expect(existsSync(join(dir, 'x.db'))).toBe(false)
  })

  it('names an unknown command and prints the usage', async () => {
    const result = await runCommand('bakup', [], env)
    expect(result.code).toBe(1)
    expect(result.stderr[0]).toBe('leash: unknown command "bakup"')
    expect(result.stderr.join('\n')).toContain('leash-server backup <file>')
    expect((await runCommand('--help', [], env)).code).toBe(0)
  })
})
