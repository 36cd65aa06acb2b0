import { randomBytes } from 'node:crypto'
import type { Bus, Invalidation } from '../../bus/types.js'
import type { LogEntry } from '../../log.js'
import { limitLog } from '../../log-limit.js'
import { type Metrics, noMetrics } from '../../metrics.js'
import { redisDriver } from '../drivers.js'
import { createRedisBreaker } from '../redis-breaker.js'
import { boundedRedisOptions, quit } from '../redis-connection.js'
import { isInvalidation, plain } from './redis-message.js'

export interface RedisBusOptions {
  /** `redis://host:port[/db]` */
  url: string
  /** Pub/sub channel shared by every instance of one deployment. */
  channel?: string
  /** How often the subscriber connection is pinged (ms). */
  heartbeatMs?: number
  /**
   * How long one answered ping keeps the bus live (ms). A frozen Redis (or a cut link that TCP has not
   * noticed yet) makes `live()` false at most this long after the last ping that got through.
   */
  leaseMs?: number
  /** Bound on every Redis command (ms). */
  commandTimeoutMs?: number
  /** Names the connections in Redis's CLIENT LIST (`leash-sub-<name>`); default a random id. */
  name?: string
  log?: (entry: Record<string, string | number>) => void
  /**
   * Counts the bus's errors (`busError`) and times each invalidation from its publish on another instance
   * to its application here (`revocationPropagated`: the two clocks' difference, so their skew too).
   */
  metrics?: Pick<Metrics, 'busError' | 'revocationPropagated'>
}

const MAX_PENDING = 1_000

/**
 * Invalidations over Redis pub/sub: one connection publishes, one subscribes. `publish` reaches this
 * instance's listeners synchronously, then Redis. `live()` holds only while the subscription stands and a
 * ping on the subscriber connection was answered within the lease: Redis delivers in order on a
 * connection, so a pong proves every message published before the ping has been received. On every
 * return to live, the listeners get `{ kind: 'all' }`: what was missed meanwhile is dropped with the rest.
 *
 * Every subscriber acknowledges each message once its listeners have run, and `publish` resolves when as
 * many acknowledgements came back as Redis counted receivers (or after the lease): when the caller
 * answers, every instance has already dropped the entries, so the very next request anywhere sees the
 * change. A publish that fails is logged, kept to be sent again when the publisher reconnects, and
 * resolves only once a lease has run out since the outage began, so that every instance that could not
 * hear it has stopped trusting its cache by the time the caller answers (only the first second of an
 * outage is slower).
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  const channel = options.channel ?? 'leash:invalidate'
  const heartbeatMs = options.heartbeatMs ?? 200
  const leaseMs = options.leaseMs ?? 1_000
  const commandTimeoutMs = options.commandTimeoutMs ?? 500
  const log = options.log ?? (() => {})
  const metrics = options.metrics ?? noMetrics
  // An outage repeats each of these per request or per reconnect attempt: one line each, then counts.
  const limited = limitLog(log as (entry: LogEntry) => void)
  const origin = randomBytes(8).toString('base64url')
  const name = options.name ?? origin
  const listeners = new Set<(message: Invalidation) => unknown>()
  const connection = boundedRedisOptions(commandTimeoutMs)
  const Redis = redisDriver()
  const pub = new Redis(options.url, { ...connection, connectionName: `leash-pub-${name}` })
  const sub = new Redis(options.url, {
    ...connection,
    connectionName: `leash-sub-${name}`,
    autoResubscribe: false,
  })
  let subscribed = false
  let leaseUntil = 0
  let wasLive = false
  let closed = false
  /** Publishes that failed, with when they were first sent (epoch ms), to send again on reconnect. */
  let pending: Array<{ message: Invalidation; sent: number }> = []
  const ackChannel = `${channel}:ack:${origin}`
  let seq = 0
  /** Publishes awaiting acknowledgements: how many came, how many Redis said would (null: not known yet). */
  const waiting = new Map<number, { acks: number; expected: number | null; done: () => void }>()
  const settle = (id: number) => {
    const w = waiting.get(id)
    if (w && w.expected !== null && w.acks >= w.expected) {
      waiting.delete(id)
      w.done()
    }
  }

  /** Runs every listener; resolves when those that returned a promise (a keyring reload) have settled. */
  const deliver = (message: Invalidation): Promise<unknown> | undefined => {
    const acting: Promise<unknown>[] = []
    for (const listener of listeners) {
      const done = listener(message)
      if (done instanceof Promise) acting.push(done)
    }
    return acting.length > 0 ? Promise.allSettled(acting) : undefined
  }
  const live = () => {
    const now = subscribed && Date.now() < leaseUntil
    if (!now && wasLive) log({ level: 'warn', msg: 'bus not live: caches bypassed' })
    wasLive = now
    return now
  }
  /** Extends the lease from when the answered ping was sent; a return to live empties every cache. */
  const renew = (sentAt: number) => {
    const before = live()
    leaseUntil = Math.max(leaseUntil, sentAt + leaseMs)
    if (!before && live()) {
      log({ msg: 'bus live: caches start empty' })
      deliver({ kind: 'all' })
    }
  }

  const ping = () => {
    if (!subscribed) return
    const sentAt = Date.now()
    sub.ping().then(
      () => renew(sentAt),
      () => {}, // the lease runs out by itself
    )
  }
  const heartbeat = setInterval(ping, heartbeatMs)
  heartbeat.unref()

  sub.on('ready', () => {
    const sentAt = Date.now()
    sub.subscribe(channel, ackChannel).then(
      () => {
        subscribed = true
        renew(sentAt)
      },
      (error: unknown) => {
        metrics.busError('subscriber')
        log({ level: 'warn', msg: 'bus subscribe failed', error: String(error) })
        sub.disconnect(true) // reconnect and try again
      },
    )
  })
  sub.on('close', () => {
    subscribed = false
    leaseUntil = 0 // so that the next subscription counts as a return to live, and empties the caches
    live()
  })
  sub.on('error', (error: Error) => {
    metrics.busError('subscriber')
    limited('sub', { level: 'warn', msg: 'bus subscriber error', error: error.message })
  })
  sub.on('message', (from: string, text: string) => {
    if (from === ackChannel) {
      const id = Number(text)
      const w = waiting.get(id)
      if (w) w.acks += 1
      settle(id)
      return
    }
    if (from !== channel) return
    let parsed: { origin?: unknown; seq?: unknown; sent?: unknown; message?: unknown }
    try {
      parsed = JSON.parse(text)
    } catch {
      log({ level: 'warn', msg: 'bus dropped a malformed message' })
      return
    }
    // Its own messages were delivered locally already; they are acknowledged all the same.
    let acting: Promise<unknown> | undefined
    if (parsed.origin !== origin && isInvalidation(parsed.message)) {
      acting = deliver(parsed.message)
      // Timed once per change: its release (sent after the commit) or a plain invalidation, not its hold.
      if (
        parsed.message.hold === undefined &&
        typeof parsed.sent === 'number' &&
        Number.isFinite(parsed.sent)
      )
        metrics.revocationPropagated((Date.now() - parsed.sent) / 1000)
    }
    if (typeof parsed.origin === 'string' && Number.isSafeInteger(parsed.seq)) {
      const ack = () => pub.publish(`${channel}:ack:${parsed.origin}`, String(parsed.seq)).catch(() => {})
      if (acting) void acting.then(ack)
      else ack()
    }
  })

  // `sent` (epoch ms) lets every receiver time the invalidation's way to it.
  const send = (message: Invalidation, sent: number, id = 0) =>
    pub.publish(channel, JSON.stringify({ origin, seq: id, sent, message }))
  /** Resolves when every receiver acknowledged `id`, or after the lease (a receiver that died meanwhile). */
  const acknowledged = (id: number, receivers: Promise<number>) =>
    new Promise<void>((done, fail) => {
      const timer = setTimeout(() => {
        waiting.delete(id)
        limited('ack', { level: 'warn', msg: 'bus publish not acknowledged by every instance in time' })
        done()
      }, leaseMs)
      waiting.set(id, {
        acks: 0,
        expected: null,
        done: () => {
          clearTimeout(timer)
          done()
        },
      })
      receivers.then(
        (count) => {
          const w = waiting.get(id)
          if (w) w.expected = count
          settle(id)
        },
        (error: unknown) => {
          clearTimeout(timer)
          waiting.delete(id)
          fail(error)
        },
      )
    })
  pub.on('error', (error: Error) => {
    metrics.busError('publisher')
    limited('pub', { level: 'warn', msg: 'bus publisher error', error: error.message })
  })
  // The earliest moment this publisher knew Redis to be unreachable, through the current outage.
  let unreachableSince: number | null = null
  pub.on('close', () => {
    unreachableSince ??= Date.now()
  })
  const resend = () => {
    const retry = pending
    pending = []
    for (const kept of retry) send(kept.message, kept.sent).catch(() => keep(kept.message, kept.sent))
  }
  pub.on('ready', () => {
    unreachableSince = null
    resend()
  })
  // A publish that timed out stops the next ones from each waiting out the timeout: they fail at once
  // (kept, and sent again) until a background PING on the publisher is answered.
  const breaker = createRedisBreaker({
    probe: () => pub.ping(),
    onOpen: () => log({ level: 'warn', msg: 'bus: Redis not answering, publishes fail fast until it does' }),
    onClose: () => {
      log({ msg: 'bus: Redis answering again' })
      resend()
    },
  })
  const keep = (message: Invalidation, sent: number) => {
    pending.push({ message: plain(message), sent })
    if (pending.length > MAX_PENDING) pending = [{ message: { kind: 'all' }, sent: pending[0]!.sent }]
  }

  return {
    kind: 'redis',
    async publish(message) {
      await deliver(message)
      if (closed) return
      const started = Date.now()
      const id = ++seq
      try {
        await acknowledged(
          id,
          breaker.run(() => send(message, started, id)),
        )
        unreachableSince = null
      } catch (error) {
        metrics.busError('publish')
        limited('publish', {
          level: 'error',
          msg: 'bus publish failed',
          kind: message.kind,
          error: String(error),
        })
        keep(message, started)
        // Every instance that shares this outage heard its last pong before it began, so its lease ends
        // at most `leaseMs` after that: past then, none of them trusts its cache any more.
        unreachableSince = Math.min(unreachableSince ?? started, started)
        const wait = unreachableSince + leaseMs - Date.now()
        if (wait > 0) await new Promise((done) => setTimeout(done, wait))
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    live,
    async close() {
      closed = true
      clearInterval(heartbeat)
      breaker.close()
      for (const w of waiting.values()) w.done()
      waiting.clear()
      listeners.clear()
      subscribed = false
      await Promise.all([quit(pub), quit(sub)])
    },
  }
}
