import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { call, startInstance } from '../test/cluster.js'
import { sqliteDriver } from './drivers.js'

// SIGTERM drains: the program stops accepting, lets the sign-ins in flight (real scrypt, queued at the
// hashing gate) finish, then closes the store and exits 0, leaving a sound database file.

const dir = mkdtempSync(join(tmpdir(), 'leash-drain-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('SIGTERM', () => {
  it('lets every request in flight finish with 200, then exits 0 with a sound SQLite file', async () => {
    const file = join(dir, 'leash.db')
    const server = await startInstance('drain', {
      LEASH_DATABASE: `sqlite:${file}`,
      LEASH_SEED_USERS: 'alice:alice-password',
      LEASH_HASH_CONCURRENCY: '1',
      LEASH_SHUTDOWN_TIMEOUT: '15',
    })
    const signIns = Array.from({ length: 4 }, () =>
      call(server.url, 'POST', '/auth/login', {
        body: { username: 'alice', password: 'alice-password', refresh_transport: 'body' },
      }),
    )
    // Sent together: once one is answered, the others are in the server, waiting for the hasher.
    await Promise.race(signIns)
    const exited = new Promise<number | null>((done) => server.child.once('exit', done))
    server.child.kill('SIGTERM')
    const statuses = await Promise.all(
      signIns.map((p) =>
        p.then(
          (r) => r.status,
          (e) => String(e),
        ),
      ),
    )
    expect(statuses).toEqual([200, 200, 200, 200])
    expect(await exited).toBe(0)
    const db = new (sqliteDriver())(file, { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect((db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n).toBe(4)
    } finally {
      db.close()
    }
  }, 20_000)
})
