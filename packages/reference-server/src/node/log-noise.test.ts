import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Instance, startInstance } from '../test/cluster.js'

// A client that goes away mid-body is not a server error: no `error` line, no stack, one line at most.

describe('a client that disconnects mid-body', () => {
  let server: Instance
  beforeAll(async () => {
    server = await startInstance('noise', { LEASH_DATABASE: 'sqlite::memory:', LEASH_LOG: 'all' })
  })
  afterAll(() => server?.stop())

  it('logs no error and no stack, and one line for many', async () => {
    const { hostname, port } = new URL(server.url)
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((done) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"username":',
          )
          setTimeout(() => {
            socket.destroy()
            done()
          }, 50)
        })
      })
    }
    await new Promise((done) => setTimeout(done, 500))
    const after = server.lines.filter((l) => !l.includes('"msg":"listening"'))
    expect(after.filter((l) => l.includes('"level":"error"'))).toEqual([])
    expect(after.filter((l) => l.includes('    at '))).toEqual([]) // no stack
    // Five of them, one line (the next would be a count, after 10 s).
    expect(after.filter((l) => l.includes('client closed'))).toHaveLength(1)
  })
})
