import type pg from 'pg'
import type {
  AccountTokenEffect,
  AccountTokenPurpose,
  AccountTokenRecord,
  AuditEvent,
  UserRecord,
} from '../../store/types.js'
import { insertEvents } from './postgres-audit.js'
import { type Row, toUser } from './postgres-rows.js'
import { FIND_ACCOUNT_TOKEN, patchValues, SPEND_ACCOUNT_TOKEN, UPDATE_USER } from './postgres-sql.js'

const toToken = (r: Row): AccountTokenRecord => ({
  hash: r.hash as string,
  userId: r.user_id as string,
  purpose: r.purpose as AccountTokenPurpose,
  email: r.email as string,
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
})

/** The PostgreSQL store's single-use account tokens, over its `query` and `transaction`. */
export function postgresAccount(
  query: (text: string, values?: unknown[]) => Promise<pg.QueryResult<Row>>,
  transaction: <T>(run: (client: pg.PoolClient) => Promise<T>) => Promise<T>,
) {
  return {
    issueAccountToken: (t: AccountTokenRecord, events?: AuditEvent[]) =>
      transaction(async (client) => {
        // The user's row locked: two issues for one user run in turn, and the later one spends the earlier.
        await client.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE', [t.userId])
        await client.query('DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2', [
          t.userId,
          t.purpose,
        ])
        await client.query(
          `INSERT INTO account_tokens (hash, user_id, purpose, email, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [t.hash, t.userId, t.purpose, t.email, t.createdAt, t.expiresAt],
        )
        await insertEvents(client, events)
      }),
    async findAccountToken(hash: string, purpose: AccountTokenPurpose, now: number) {
      const { rows } = await query(FIND_ACCOUNT_TOKEN, [hash, purpose, now])
      return rows[0] ? toToken(rows[0]) : null
    },
    spendAccountToken: (
      hash: string,
      purpose: AccountTokenPurpose,
      now: number,
      effect: AccountTokenEffect,
    ): Promise<UserRecord | null> =>
      transaction(async (client) => {
        const taken = (await client.query<Row>(SPEND_ACCOUNT_TOKEN, [hash, purpose, now])).rows[0]
        if (!taken) return null
        const values = patchValues(taken.user_id as string, effect.patch, effect.end)
        const row = (await client.query<Row>(UPDATE_USER, values)).rows[0]
        if (!row) return null
        const user = toUser(row)
        await insertEvents(client, effect.audit?.(user))
        return user
      }),
  }
}
