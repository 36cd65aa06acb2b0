import { describe, expect, it } from 'vitest'
import { ConfigError } from '../config.js'
import { freePort } from '../test/cluster.js'
import { metricNames, sample } from '../test/exposition.js'
import { metricsListenFrom } from './env.js'
import { startServer } from './main.js'

describe('LEASH_METRICS_PORT and LEASH_METRICS_HOST', () => {
  it('are off unless the port is set; the host defaults to loopback, whatever LEASH_HOST is', () => {
    expect(metricsListenFrom({})).toBeNull()
    expect(metricsListenFrom({ LEASH_METRICS_PORT: ' ' })).toBeNull()
    expect(metricsListenFrom({ LEASH_METRICS_PORT: '9464', LEASH_HOST: '0.0.0.0' })).toEqual({
      port: 9464,
      hostname: '127.0.0.1',
    })
    expect(metricsListenFrom({ LEASH_METRICS_PORT: '9464', LEASH_METRICS_HOST: '10.0.0.5' })).toEqual({
      port: 9464,
      hostname: '10.0.0.5',
    })
  })

  it.each([
    [{ LEASH_METRICS_PORT: 'abc' }, 'LEASH_METRICS_PORT must be a port number, got "abc"'],
    [{ LEASH_METRICS_PORT: '70000' }, 'LEASH_METRICS_PORT must be a port number, got "70000"'],
    [{ LEASH_METRICS_PORT: '-1' }, 'LEASH_METRICS_PORT must be a port number, got "-1"'],
    [{ LEASH_METRICS_PORT: '8787' }, 'LEASH_METRICS_PORT must differ from LEASH_PORT (8787)'],
    [{ LEASH_METRICS_PORT: '9000', LEASH_PORT: '9000' }, 'must differ from LEASH_PORT (9000)'],
    [{ LEASH_METRICS_HOST: '0.0.0.0' }, 'LEASH_METRICS_HOST is set but LEASH_METRICS_PORT is not'],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => metricsListenFrom(env)).toThrow(ConfigError)
    expect(() => metricsListenFrom(env)).toThrow(message)
  })

  it('a bad LEASH_METRICS_PORT stops the server at start', { timeout: 30_000 }, async () => {
    await expect(
      startServer({ LEASH_PORT: '0', LEASH_DATABASE: 'sqlite::memory:', LEASH_METRICS_PORT: 'x' }, true),
    ).rejects.toThrow('LEASH_METRICS_PORT must be a port number, got "x"')
  })
})

describe('/metrics on its own socket', () => {
  const env = {
    LEASH_PORT: '0',
    LEASH_DATABASE: 'sqlite::memory:',
    LEASH_SEED_USERS: 'alice:alice-password',
    LEASH_LOGIN_RATE: '1000',
  }

  it('is served on LEASH_METRICS_PORT, never on the public port, and closes with the server', {
    timeout: 30_000,
  }, async () => {
    const metricsPort = await freePort()
    const server = await startServer({ ...env, LEASH_METRICS_PORT: String(metricsPort) }, true)
    const metricsUrl = `http://127.0.0.1:${metricsPort}`
    try {
      expect(server.metricsUrl).toBe(metricsUrl)
      const wrong = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'not-it' }),
      })
      expect(wrong.status).toBe(401)
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404)
      expect((await fetch(`${metricsUrl}/`)).status).toBe(404)
      expect((await fetch(`${metricsUrl}/auth/me`)).status).toBe(404)

      const scrape = await fetch(`${metricsUrl}/metrics`)
      expect(scrape.status).toBe(200)
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      const text = await scrape.text()
      expect(metricNames(text).filter((n) => !n.startsWith('leash_'))).toEqual([])
      expect(sample(text, 'leash_sign_ins_total', { outcome: 'failed', code: 'invalid_credentials' })).toBe(1)
      expect(sample(text, 'leash_bus_up')).toBe(1) // this process only: always live
      expect(sample(text, 'leash_hash_queue_capacity')).toBe(32)
      expect(sample(text, 'leash_process_resident_memory_bytes')).toBeGreaterThan(0)
    } finally {
      await server.close()
    }
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow()
  })

  it('without LEASH_METRICS_PORT, nothing is served and the public port answers /metrics 404', {
    timeout: 30_000,
  }, async () => {
    const server = await startServer(env, true)
    try {
      expect(server.metricsUrl).toBeUndefined()
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404)
    } finally {
      await server.close()
    }
  })
})
