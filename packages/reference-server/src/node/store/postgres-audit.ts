import type pg from 'pg'
import type { AuditEvent, AuditQuery } from '../../store/types.js'
import { AUDIT_COLUMNS, type AuditRow, auditPage, auditValues, toAuditEvent } from './audit-sql.js'

/** One INSERT of every event (atomic on its own), or null when there are none. */
export function eventsInsert(events: readonly AuditEvent[] | undefined) {
  if (!events?.length) return null
  const rows = events.map((_, i) => `(${AUDIT_COLUMNS.split(', ').map((_, j) => `$${i * 10 + j + 1}`)})`)
  return {
    text: `INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ${rows.join(', ')}`,
    values: events.flatMap(auditValues),
  }
}

/** Writes the events on `client`, inside the transaction of the change they record. */
export async function insertEvents(client: pg.PoolClient, events: readonly AuditEvent[] | undefined) {
  const insert = eventsInsert(events)
  if (insert) await client.query(insert.text, insert.values)
}

/**
 * The PostgreSQL store's audit methods, over its `query` and `transaction`: `withEvents` runs one statement
 * and, when `wrote` says it changed something, its events, in one transaction.
 */
export function postgresAudit<Row extends pg.QueryResultRow>(
  query: (text: string, values?: unknown[]) => Promise<pg.QueryResult<Row>>,
  transaction: <T>(run: (client: pg.PoolClient) => Promise<T>) => Promise<T>,
) {
  return {
    async withEvents(
      text: string,
      values: unknown[],
      events: readonly AuditEvent[] | undefined,
      wrote: (result: pg.QueryResult<Row>) => boolean = () => true,
    ): Promise<pg.QueryResult<Row>> {
      if (!events?.length) return query(text, values)
      return transaction(async (client) => {
        const result = await client.query<Row>(text, values)
        if (wrote(result)) await insertEvents(client, events)
        return result
      })
    },
    async recordEvents(events: AuditEvent[]): Promise<void> {
      const insert = eventsInsert(events)
      if (insert) await query(insert.text, insert.values)
    },
    async listEvents(page: AuditQuery): Promise<AuditEvent[]> {
      const { text, values } = auditPage(page, (n) => `$${n}`, ' COLLATE "C"')
      return (await query(text, values)).rows.map((r) => toAuditEvent(r as unknown as AuditRow))
    },
  }
}
