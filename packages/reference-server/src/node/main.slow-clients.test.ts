import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GLOBAL_SECRET } from '../test/cluster.js'
import { type RunningServer, startServer } from './main.js'

// Slow clients (slowloris) on 127.0.0.1: headers or a body trickled in are cut by the configured
// timeouts, and a connection cap keeps idle sockets from taking every file descriptor.

const base = { LEASH_DATABASE: 'sqlite::memory:', LEASH_GLOBAL_SECRET: GLOBAL_SECRET }

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  return new Promise((done, fail) => {
    const socket = connect(Number(port), hostname, () => done(socket))
    socket.once('error', fail)
  })
}

/** Milliseconds until the server closes `socket`, or Infinity if it is still open after `limitMs`. */
function closedWithin(socket: Socket, limitMs: number, started = Date.now()): Promise<number> {
  return new Promise((done) => {
    const timer = setTimeout(() => done(Number.POSITIVE_INFINITY), limitMs)
    socket.once('close', () => {
      clearTimeout(timer)
      done(Date.now() - started)
    })
    socket.on('error', () => {})
  })
}

/** Writes `text` a byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number) {
  let i = 0
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer)
    socket.write(text[i++]!)
  }, everyMs)
  socket.once('close', () => clearInterval(timer))
}

describe('slow clients', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ ...base, LEASH_HEADERS_TIMEOUT: '1', LEASH_REQUEST_TIMEOUT: '2' }, true)
  })
  afterAll(() => server?.close())

  it('headers sent byte by byte are cut at the headers timeout', async () => {
    const socket = await open(server.url)
    const started = Date.now()
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n')
    trickle(socket, 'X-Slow: abcdefghijklmnopqrstuvwxyz0123456789\r\n', 100)
    const ms = await closedWithin(socket, 5_000, started)
    expect(ms).toBeGreaterThanOrEqual(900)
    expect(ms).toBeLessThan(2_500) // 1 s, and the 0.5 s between Node's checks
    socket.destroy()
  })

  it('a body trickled in is cut at the request timeout', async () => {
    const socket = await open(server.url)
    const started = Date.now()
    const body = JSON.stringify({ username: 'alice', password: 'alice-password-long-enough-to-trickle' })
    socket.write(
      `POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    )
    trickle(socket, body, 100)
    let answer = ''
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString()
    })
    const ms = await closedWithin(socket, 6_000, started)
    expect(ms).toBeGreaterThanOrEqual(1_900)
    expect(ms).toBeLessThan(3_500)
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    socket.destroy()
  })
})

describe('LEASH_MAX_CONNECTIONS', () => {
  let server: RunningServer
  const sockets: Socket[] = []
  beforeAll(async () => {
    server = await startServer({ ...base, LEASH_MAX_CONNECTIONS: '5' }, true)
  })
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    await server?.close()
  })

  it('closes connections past the cap at once, and takes one again when a slot frees', async () => {
    for (let i = 0; i < 5; i++) sockets.push(await open(server.url))
    await new Promise((done) => setTimeout(done, 100)) // the server has accepted them
    const sixth = await open(server.url)
    expect(await closedWithin(sixth, 2_000)).toBeLessThan(2_000)
    const stillOpen = sockets.map((s) => closedWithin(s, 300))
    expect(await Promise.all(stillOpen)).toEqual(Array(5).fill(Number.POSITIVE_INFINITY))
    sockets.pop()!.destroy()
    await new Promise((done) => setTimeout(done, 100))
    const res = await fetch(`${server.url}/healthz`, { headers: { connection: 'close' } })
    expect(res.status).toBe(200)
  })
})

describe('close()', () => {
  it('answers /readyz 503 draining on a connection whose request was under way, then finishes', async () => {
    const server = await startServer(base, true)
    const socket = await open(server.url)
    let answer = ''
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString()
    })
    socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n') // a request under way: not an idle connection
    await new Promise((done) => setTimeout(done, 50))
    const closed = server.close()
    socket.write('Connection: close\r\n\r\n')
    await closedWithin(socket, 3_000)
    await closed
    expect(answer).toMatch(/^HTTP\/1\.1 503/)
    expect(answer).toContain('"status":"draining"')
  })
})
