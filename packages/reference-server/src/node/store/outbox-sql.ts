import type { Invalidation } from '../../bus/types.js'
import type { OutboxEntry } from '../../store/types.js'

// The outbox as both SQL stores keep it: one row per invalidation, written in its change's transaction.

/** The table, with `seq` numbered by the database (`seq`: its column definition) and pruned by time. */
export const OUTBOX_TABLE = (seq: string, time: string) => `CREATE TABLE outbox (
     seq ${seq},
     time ${time} NOT NULL,
     kind TEXT NOT NULL,
     target TEXT
   );
   CREATE INDEX outbox_time ON outbox(time);`

export interface OutboxRow {
  seq: number | string
  time: number | string
  kind: string
  target: string | null
}

/** An invalidation's values, `kind` and `target` (null for `all`). */
export const outboxValues = (m: Invalidation): [string, string | null] => [
  m.kind,
  m.kind === 'all' || m.kind === 'keys' ? null : m.id,
]

export const toOutboxEntry = (r: OutboxRow): OutboxEntry => ({
  seq: Number(r.seq),
  time: Number(r.time),
  message:
    r.kind === 'all' || r.kind === 'keys'
      ? { kind: r.kind }
      : { kind: r.kind as 'user' | 'session', id: r.target as string },
})
