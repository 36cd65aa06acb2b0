import type { Counter } from 'prom-client'
import type { Bus } from '../bus/types.js'
import type { Metrics } from '../metrics.js'
import { promClientDriver } from './drivers.js'
import { type LeanSeries, leanHistogram } from './lean-histogram.js'

/** Every metric this server exposes starts with this, the process's default ones included. */
export const METRIC_PREFIX = 'leash_'

/** Request durations: a warm `GET /auth/me` takes tens of µs, a sign-in's scrypt half a second. */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** A hash's wait for a slot: nothing, or whole hashes (about half a second each) ahead of it. */
const HASH_WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
/** From a publish on one instance to its application on another: a Redis hop, or a lease (1 s) at worst. */
const PROPAGATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** The Prometheus side of `Metrics`: its registry, what a scrape answers, and the gauges read at scrape. */
export interface PromMetrics {
  /** The sink to give `createApp({ metrics })` and `createRedisBus({ metrics })`. */
  readonly metrics: Metrics
  /** The name of every metric in the registry (no prom-client type in this interface: it is an optional peer). */
  names(): string[]
  /** The exposition's Content-Type (Prometheus text, version 0.0.4). */
  readonly contentType: string
  /** The exposition: every metric, as a scrape of `/metrics` answers it. */
  text(): Promise<string>
  /** `leash_bus_up` reads `bus.live()` at each scrape (without a bus, 1: this process only). */
  watchBus(bus: Bus): void
  /** The hashing gate's size, so that an alert can compare the queue with its capacity. */
  hashLimits(concurrency: number, queue: number): void
}

/** A pre-bound series per label value, made the first time the value is seen: no label hashing after. */
function seriesBy<T>(make: (value: string) => T) {
  const made = new Map<string, T>()
  return (value: string): T => {
    let series = made.get(value)
    if (series === undefined) {
      series = make(value)
      made.set(value, series)
    }
    return series
  }
}

/**
 * The server's metrics on `prom-client` (an optional peer: loaded here, so only when metrics are asked
 * for), in a registry of their own with Node's default process metrics, every name prefixed `leash_`.
 * The request path's series are bound once per route, method and status (`leanHistogram`), so a request
 * costs three map reads and a bucket increment.
 */
export function createPromMetrics(): PromMetrics {
  const prom = promClientDriver()
  const registry = new prom.Registry()
  const registers = [registry]
  prom.collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new prom.Counter<L>({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers })
  const histogram = <L extends string>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ) => new prom.Histogram<L>({ name: `${METRIC_PREFIX}${name}`, help, buckets, labelNames, registers })
  const gauge = (name: string, help: string, collect?: () => number) =>
    new prom.Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      registers,
      ...(collect && {
        collect(this: { set(v: number): void }) {
          this.set(collect())
        },
      }),
    })

  const signIns = counter('sign_ins_total', 'Sign-ins, by outcome and refusal code.', ['outcome', 'code'])
  const refreshes = counter('refreshes_total', 'Refreshes, by outcome and refusal code.', ['outcome', 'code'])
  const refusals = counter('refusals_total', 'Error answers of the app, by code (4xx and 5xx).', ['code'])
  const reuse = counter('reuse_detections_total', 'Spent refresh tokens presented again (family revoked).')
  const revocations = counter('revocations_total', 'Decisions that ended sessions, by reason.', ['reason'])
  const storeErrors = counter('store_errors_total', 'Store failures, by operation.', ['operation'])
  const busErrors = counter('bus_errors_total', 'Bus (Redis) failures, by operation.', ['operation'])
  // On every request's path: bound series of its own, not prom-client's per-call label hashing.
  const requests = leanHistogram(registry, {
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Request durations, by route pattern, method and status.',
    buckets: REQUEST_BUCKETS,
  })
  const hashWait = histogram(
    'hash_wait_seconds',
    'Time a password hash waited for a slot.',
    HASH_WAIT_BUCKETS,
  )
  const hashRunning = gauge('hash_running', 'Password hashes running now.')
  const hashQueued = gauge('hash_queue_depth', 'Password hashes waiting for a slot now.')
  const hashConcurrency = gauge('hash_concurrency', 'Password hashes that may run at once.')
  const hashQueueSize = gauge(
    'hash_queue_capacity',
    'Password hashes that may wait; one more is refused (503).',
  )
  const propagation = histogram(
    'revocation_propagation_seconds',
    'From an invalidation published on another instance to its application here (clocks of both).',
    PROPAGATION_BUCKETS,
  )
  let busLive: () => boolean = () => true
  gauge('bus_up', 'Whether the bus is live (1) or caches are bypassed (0).', () => (busLive() ? 1 : 0))

  const signInSeries = seriesBy((code) =>
    code === '' ? signIns.labels({ outcome: 'succeeded' }) : signIns.labels({ outcome: 'failed', code }),
  )
  const refreshSeries = seriesBy((code) =>
    code === '' ? refreshes.labels({ outcome: 'rotated' }) : refreshes.labels({ outcome: 'refused', code }),
  )
  const refusalSeries = seriesBy((code) => refusals.labels({ code }))
  const bound = <L extends string>(c: Counter<L>, label: L) =>
    seriesBy((value) => c.labels({ [label]: value } as Record<L, string>))
  const revocationSeries = bound(revocations, 'reason')
  const storeSeries = bound(storeErrors, 'operation')
  const busSeries = bound(busErrors, 'operation')
  // route → method → status → series: three map reads a request, nothing allocated once seen.
  const requestSeries = new Map<string, Map<string, Map<number, LeanSeries>>>()
  const requestSeriesFor = (route: string, method: string, status: number) => {
    let byMethod = requestSeries.get(route)
    if (byMethod === undefined) {
      byMethod = new Map()
      requestSeries.set(route, byMethod)
    }
    let byStatus = byMethod.get(method)
    if (byStatus === undefined) {
      byStatus = new Map()
      byMethod.set(method, byStatus)
    }
    let series = byStatus.get(status)
    if (series === undefined) {
      series = requests.series({ route, method, status: String(status) })
      byStatus.set(status, series)
    }
    return series
  }

  const metrics: Metrics = {
    signIn: (code) => signInSeries(code ?? '').inc(),
    refresh: (code) => refreshSeries(code ?? '').inc(),
    reuseDetected: () => reuse.inc(),
    revoked: (reason) => revocationSeries(reason).inc(),
    refused: (code) => refusalSeries(code).inc(),
    request: (route, method, status, seconds) => requestSeriesFor(route, method, status).observe(seconds),
    hashWaited: (seconds) => hashWait.observe(seconds),
    hashGate: (running, queued) => {
      hashRunning.set(running)
      hashQueued.set(queued)
    },
    storeError: (operation) => storeSeries(operation).inc(),
    busError: (operation) => busSeries(operation).inc(),
    // A receiver's clock behind the sender's would make it negative: counted as 0, not subtracted.
    revocationPropagated: (seconds) => propagation.observe(Math.max(0, seconds)),
  }
  return {
    metrics,
    names: () => registry.getMetricsAsArray().map((m) => m.name),
    contentType: registry.contentType,
    text: () => registry.metrics(),
    watchBus: (bus) => {
      busLive = () => bus.live()
    },
    hashLimits: (concurrency, queue) => {
      hashConcurrency.set(concurrency)
      hashQueueSize.set(queue)
    },
  }
}
