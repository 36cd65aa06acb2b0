import type { Invalidation } from '../bus/types.js'
import type { LogEntry } from '../log.js'
import type { Store } from '../store/types.js'

/** How often each instance reads the outbox (ms). */
export const OUTBOX_POLL_MS = 250
/**
 * How long a missing `seq` is looked for (ms): a transaction that took a number may commit after one that
 * took a later number; past this, the number belonged to a change that rolled back.
 */
export const OUTBOX_GAP_MS = 60_000
/** Entries read per query. */
const PAGE = 500
/** Missing numbers looked for at once; beyond, the oldest is given up (the cache's age bound still holds). */
const MAX_GAPS = 64

/**
 * Reads what the store's outbox gained since the last read and hands each invalidation to `apply` (this
 * instance's cache), so that a change whose instance died before publishing it reaches every instance
 * within `pollMs`, whatever happened to the bus message. Each instance reads for itself: no peer has to
 * publish for the dead one, and no one has to be elected to. It starts at the newest entry (a cache starts
 * empty); numbers skipped by transactions still open are looked for until they appear or `gapMs` passes.
 * `poll` runs one read (the timer's; tests call it directly).
 */
export function createOutboxRelay(deps: {
  store: Pick<Store, 'outboxSeq' | 'outboxAfter'>
  apply: (message: Invalidation) => void
  now: () => number
  log: (entry: LogEntry) => void
  gapMs?: number
}) {
  const { store, apply, now, log } = deps
  const gapMs = deps.gapMs ?? OUTBOX_GAP_MS
  let high: number | undefined
  /** seq → when it was first found missing */
  const gaps = new Map<number, number>()
  let failing = false

  const take = (seq: number, message: Invalidation, at: number) => {
    // Only the nearest: a jump of thousands (the numbers of a pruned, emptied outbox) is no open transaction.
    for (let missing = Math.max((high ?? seq) + 1, seq - MAX_GAPS); missing < seq; missing++) {
      gaps.set(missing, at)
      if (gaps.size > MAX_GAPS) gaps.delete(gaps.keys().next().value!)
    }
    if (high === undefined || seq > high) high = seq
    apply(message)
  }
  const readNew = async (at: number) => {
    for (;;) {
      const page = await store.outboxAfter(high!, PAGE)
      for (const entry of page) take(entry.seq, entry.message, at)
      if (page.length < PAGE) return
    }
  }
  const readGaps = async (at: number) => {
    for (const [seq, since] of [...gaps]) {
      if (at - since > gapMs) {
        gaps.delete(seq)
        continue
      }
      const [entry] = await store.outboxAfter(seq - 1, 1)
      if (entry?.seq === seq) {
        gaps.delete(seq)
        apply(entry.message)
      }
    }
  }

  return {
    async poll(): Promise<void> {
      try {
        const at = now()
        if (high === undefined) high = await store.outboxSeq()
        else {
          await readGaps(at)
          await readNew(at)
        }
        if (failing) log({ msg: 'outbox readable again' })
        failing = false
      } catch (error) {
        if (!failing) log({ level: 'warn', msg: 'outbox read failed', error: String(error) })
        failing = true
      }
    },
    /** Numbers still looked for. */
    get gaps() {
      return gaps.size
    },
  }
}

/** Polls every `intervalMs` (a poll still running when the next is due is not doubled); `stop` ends it. */
export function scheduleOutboxRelay(relay: { poll(): Promise<void> }, intervalMs = OUTBOX_POLL_MS) {
  let running = false
  const tick = () => {
    if (running) return
    running = true
    void relay.poll().finally(() => {
      running = false
    })
  }
  const timer = setInterval(tick, intervalMs)
  timer.unref?.()
  tick()
  return { stop: () => clearInterval(timer) }
}
