import { Hono } from 'hono'
import { describe, expect, it, vi } from 'vitest'
import { StoreUnavailableError } from '../errors.js'
import { metricNames, sample } from '../test/exposition.js'
import { codeOf, controlledHasher, testServer } from '../test/harness.js'
import { createPromMetrics, METRIC_PREFIX } from './metrics.js'

// Each metric family made to happen through the app (app.request, no sockets), then read from the
// exposition a scrape of /metrics answers.

async function served(config: Parameters<typeof testServer>[0] = {}) {
  const prom = createPromMetrics()
  const s = await testServer({ ...config, metrics: prom.metrics })
  return { s, prom, text: () => prom.text() }
}

const login = (s: Awaited<ReturnType<typeof testServer>>, username: string, password: string, ip: string) =>
  s.json('POST', '/auth/login', { username, password, refresh_transport: 'body' }, { 'x-test-ip': ip })

describe('Prometheus metrics of the app', () => {
  it('names every metric leash_, the default process metrics included', async () => {
    const { s, prom, text } = await served()
    await s.login('alice')
    const names = prom.names()
    expect(names).toContain('leash_process_cpu_user_seconds_total')
    expect(names).toContain('leash_sign_ins_total')
    expect(names.filter((n) => !n.startsWith(METRIC_PREFIX))).toEqual([])
    expect(metricNames(await text()).filter((n) => !n.startsWith(METRIC_PREFIX))).toEqual([])
  })

  it('counts sign-ins by outcome, and a refused one under its code, in the refusals too', async () => {
    const { s, text } = await served()
    await s.login('alice')
    expect((await login(s, 'alice', 'wrong-password', '10.0.0.1')).status).toBe(401)
    expect((await login(s, 'nobody', 'whatever', '10.0.0.2')).status).toBe(401)
    const t = await text()
    expect(sample(t, 'leash_sign_ins_total', { outcome: 'succeeded' })).toBe(1)
    expect(sample(t, 'leash_sign_ins_total', { outcome: 'failed', code: 'invalid_credentials' })).toBe(2)
    expect(sample(t, 'leash_refusals_total', { code: 'invalid_credentials' })).toBe(2)
  })

  it('counts refreshes, a reuse as a detection, a refused refresh and a revocation of the family', async () => {
    const { s, text } = await served({ config: { reuseInterval: 0 } })
    const first = await s.login('alice')
    const rotated = await s.refresh(first.refresh_token!)
    expect(rotated.status).toBe(200)
    expect(await codeOf(await s.refresh(first.refresh_token!))).toBe('refresh_token_reused')
    expect(await codeOf(await s.refresh('not-a-token'))).toBe('invalid_refresh_token')
    const t = await text()
    expect(sample(t, 'leash_refreshes_total', { outcome: 'rotated' })).toBe(1)
    expect(sample(t, 'leash_refreshes_total', { outcome: 'refused', code: 'refresh_token_reused' })).toBe(1)
    expect(sample(t, 'leash_refreshes_total', { outcome: 'refused', code: 'invalid_refresh_token' })).toBe(1)
    expect(sample(t, 'leash_reuse_detections_total')).toBe(1)
    expect(sample(t, 'leash_revocations_total', { reason: 'reuse' })).toBe(1)
    expect(sample(t, 'leash_refusals_total', { code: 'refresh_token_reused' })).toBe(1)
  })

  it('counts revocations by reason: one session from the device list, then logout-all', async () => {
    const { s, text } = await served()
    const phone = await s.login('alice')
    const laptop = await s.login('alice')
    const revoke = await s.bearer(laptop.access_token, 'DELETE', `/auth/sessions/${phone.session.id}`)
    expect(revoke.status).toBe(200)
    expect((await s.bearer(laptop.access_token, 'POST', '/auth/logout-all')).status).toBe(200)
    const t = await text()
    expect(sample(t, 'leash_revocations_total', { reason: 'session' })).toBe(1)
    expect(sample(t, 'leash_revocations_total', { reason: 'logout_all' })).toBe(1)
  })

  it('times requests under the route pattern, never the raw path with its id', async () => {
    const { s, text } = await served()
    const { access_token } = await s.login('alice')
    expect((await s.bearer(access_token)).status).toBe(200)
    const gone = await s.bearer(access_token, 'DELETE', '/auth/sessions/no-such-session-4242')
    expect(gone.status).toBe(404)
    expect((await s.json('GET', '/no/such/path')).status).toBe(404)
    const t = await text()
    const count = (route: string, method: string, status: string) =>
      sample(t, 'leash_http_request_duration_seconds_count', { route, method, status })
    expect(count('/auth/me', 'GET', '200')).toBe(1)
    const me = { route: '/auth/me', method: 'GET', status: '200' }
    const bucket = (le: string) => sample(t, 'leash_http_request_duration_seconds_bucket', { ...me, le })
    expect(bucket('+Inf')).toBe(1)
    expect(bucket('10')).toBe(1) // cumulative: every bound at or above the duration counts it
    expect(sample(t, 'leash_http_request_duration_seconds_sum', me)).toBeGreaterThan(0)
    expect(count('/auth/sessions/:id', 'DELETE', '404')).toBe(1)
    expect(count('/*', 'GET', '404')).toBe(1) // no route matched: the catch-all middleware's pattern
    expect(t).not.toContain('no-such-session-4242')
    expect(t).not.toContain('/no/such/path')
    expect(sample(t, 'leash_refusals_total', { code: 'session_not_found' })).toBe(1)
    expect(sample(t, 'leash_refusals_total', { code: 'not_found' })).toBe(1)
  })

  it('times and counts the endpoints mounted in another app under their pattern there', async () => {
    const { s, text } = await served()
    const { access_token } = await s.login('alice')
    const host = new Hono()
    host.route('/identity', s.app.endpoints)
    const me = (token: string) =>
      host.request('/identity/auth/me', { headers: { authorization: `Bearer ${token}` } })
    expect((await me(access_token)).status).toBe(200)
    expect((await me('not-a-token')).status).toBe(401)
    const t = await text()
    const count = (status: string) =>
      sample(t, 'leash_http_request_duration_seconds_count', {
        route: '/identity/auth/me',
        method: 'GET',
        status,
      })
    expect(count('200')).toBe(1)
    expect(count('401')).toBe(1)
    expect(sample(t, 'leash_refusals_total', { code: 'malformed_token' })).toBe(1)
  })

  it('shows the hashing gate: hashes running and queued while they wait, and each one’s wait', async () => {
    const control = controlledHasher()
    const { s, text } = await served({
      hasher: control.hasher,
      config: { hashConcurrency: 1, hashQueue: 8, ipRate: 1_000 },
    })
    control.hold()
    const before = control.calls.verify
    const pending = [1, 2, 3].map((i) => login(s, 'alice', `wrong-${i}`, `10.0.1.${i}`))
    await vi.waitFor(() => expect(control.calls.verify - before).toBe(1), { timeout: 2_000, interval: 2 })
    await vi.waitFor(async () => expect(sample(await text(), 'leash_hash_queue_depth')).toBe(2), {
      timeout: 2_000,
      interval: 5,
    })
    expect(sample(await text(), 'leash_hash_running')).toBe(1)
    control.release()
    for (const res of await Promise.all(pending)) expect(res.status).toBe(401)
    const t = await text()
    expect(sample(t, 'leash_hash_queue_depth')).toBe(0)
    expect(sample(t, 'leash_hash_running')).toBe(0)
    // Every hash the gate admitted (seeding's outside it): the three verifies and the decoy's none.
    expect(sample(t, 'leash_hash_wait_seconds_count')).toBe(3)
    expect(sample(t, 'leash_hash_wait_seconds_sum')).toBeGreaterThan(0)
  })

  it('counts a store outage met by a request, as a store error and a store_unavailable refusal', async () => {
    const { s, text } = await served()
    const { access_token } = await s.login('alice')
    s.store.findUserByUsername = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    expect(await codeOf(await login(s, 'alice', 'alice-password', '10.0.2.1'))).toBe('store_unavailable')
    expect((await s.bearer(access_token)).status).toBe(200) // a cached check needs no store
    const t = await text()
    expect(sample(t, 'leash_store_errors_total', { operation: 'request' })).toBe(1)
    expect(sample(t, 'leash_refusals_total', { code: 'store_unavailable' })).toBe(1)
  })
})
