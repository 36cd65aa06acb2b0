import type pg from 'pg'
import type { OutboxEntry } from '../../store/types.js'
import { type OutboxRow, toOutboxEntry } from './outbox-sql.js'

/** The PostgreSQL store's outbox reads and pruning, over its `query` (the writes are in each change's statement). */
export function postgresOutbox<Row extends pg.QueryResultRow>(
  query: (text: string, values?: unknown[]) => Promise<pg.QueryResult<Row>>,
) {
  const rows = async (text: string, values: unknown[]) =>
    (await query(text, values)).rows as unknown as OutboxRow[]
  return {
    async outboxSeq(): Promise<number> {
      const [row] = await rows('SELECT coalesce(max(seq), 0) AS seq FROM outbox', [])
      return Number(row?.seq ?? 0)
    },
    async outboxAfter(after: number, limit: number): Promise<OutboxEntry[]> {
      const text = 'SELECT seq, time, kind, target FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2'
      return (await rows(text, [after, limit])).map(toOutboxEntry)
    },
    async pruneOutbox(before: number, limit?: number): Promise<number> {
      const { rowCount } = await query(
        'DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE time < $1 ORDER BY seq LIMIT $2)',
        [before, limit ?? null],
      )
      return rowCount ?? 0
    },
  }
}
