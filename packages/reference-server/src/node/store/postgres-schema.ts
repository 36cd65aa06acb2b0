import type pg from 'pg'
import { AUDIT_TABLE } from './audit-sql.js'
import { OUTBOX_TABLE } from './outbox-sql.js'

/**
 * Schema migrations, applied in order inside one transaction each; `leash_migrations` records which ran.
 * Append, never edit. Times are epoch milliseconds in BIGINT, as in SQLite.
 */
const migrations = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     username TEXT NOT NULL,
     username_key TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     role TEXT NOT NULL,
     enabled BOOLEAN NOT NULL,
     secret TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     created_at BIGINT NOT NULL,
     last_refresh_at BIGINT NOT NULL,
     absolute_expires_at BIGINT NOT NULL,
     transport TEXT NOT NULL,
     ended_at BIGINT,
     end_reason TEXT
   );
   CREATE INDEX sessions_user ON sessions(user_id) WHERE ended_at IS NULL;
   CREATE TABLE refresh_tokens (
     hash TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
     issued_at BIGINT NOT NULL,
     used_at BIGINT,
     use_count INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);
   CREATE TABLE notes (
     seq BIGSERIAL UNIQUE,
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     text TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX notes_user ON notes(user_id, created_at, seq);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: a family's one live refresh token, and the one it replaced, on the session row (see refresh-rule.ts).
  // A live session keeps its newest unused token; if an old fork left two, the other is reuse from now on.
  `ALTER TABLE sessions ADD COLUMN refresh_current TEXT, ADD COLUMN refresh_previous TEXT,
     ADD COLUMN refresh_previous_used_at BIGINT, ADD COLUMN refresh_retried BOOLEAN NOT NULL DEFAULT false;
   UPDATE sessions s SET refresh_current = (
     SELECT hash FROM refresh_tokens t WHERE t.session_id = s.id AND t.use_count = 0
     ORDER BY t.issued_at DESC LIMIT 1
   ) WHERE ended_at IS NULL;`,
  // 3: the User-Agent a session was signed in with, for the user's list of signed-in devices.
  'ALTER TABLE sessions ADD COLUMN user_agent TEXT;',
  // 4: the audit trail (see `auditEventTable` in @leash/protocol).
  AUDIT_TABLE('BIGINT'),
  // 5: the keyring of the database form (development, or LEASH_GLOBAL_SECRETS=database): one row per key,
  // exactly one the signer; seeded from meta's dev_global_secret on first use (postgres-keyring.ts).
  `CREATE TABLE signing_keys (
     id TEXT PRIMARY KEY,
     secret TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     signer BOOLEAN NOT NULL DEFAULT false
   );
   CREATE UNIQUE INDEX signing_keys_one_signer ON signing_keys (signer) WHERE signer;`,
  // 6: the outbox, each invalidation in its change's transaction (see auth/outbox-relay.ts).
  OUTBOX_TABLE('BIGSERIAL PRIMARY KEY', 'BIGINT'),
  // 7: the email address (unique ignoring case: email_key is it lower-cased) and the single-use links
  // mailed to it (verification, password reset), kept as SHA-256 hashes only.
  `ALTER TABLE users ADD COLUMN email TEXT, ADD COLUMN email_key TEXT,
     ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT false;
   CREATE UNIQUE INDEX users_email_key ON users(email_key);
   CREATE TABLE account_tokens (
     hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     purpose TEXT NOT NULL,
     email TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX account_tokens_user ON account_tokens(user_id, purpose);`,
  // 8: pruning finds what ended or expired by index, not by scanning every session (a batch on a million
  // sessions took 31 ms median, 82 ms at worst, on the event loop; 0.5 ms with these).
  `CREATE INDEX sessions_ended ON sessions(ended_at) WHERE ended_at IS NOT NULL;
   CREATE INDEX sessions_absolute ON sessions(absolute_expires_at) WHERE ended_at IS NULL;`,
  // 9: when the user last proved their password in the session (the access token's `auth_time`): the
  // sign-in, or a step-up. Sessions from before count as signed in when they were created. Nullable, so a
  // server from before can still insert sessions in a rolling upgrade (read back as `created_at`).
  `ALTER TABLE sessions ADD COLUMN auth_time BIGINT;
   UPDATE sessions SET auth_time = created_at;`,
]
/** Serialises migrations of instances that start together (any constant; "leash" in ASCII). */
const MIGRATION_LOCK = 0x6c65617368

/** The database was migrated by a newer server than this one. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError'
}

/** Creates the schema and runs the migrations it lacks, under an advisory lock held by the transaction. */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await client.query(
      'CREATE TABLE IF NOT EXISTS leash_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
    )
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM leash_migrations',
    )
    const version = rows[0]?.v ?? 0
    if (version > migrations.length) {
      throw new SchemaTooNewError(
        `the database schema is version ${version}, newer than this server knows (${migrations.length})`,
      )
    }
    for (let v = version; v < migrations.length; v++) {
      await client.query(migrations[v]!)
      await client.query('INSERT INTO leash_migrations (version, applied_at) VALUES ($1, $2)', [
        v + 1,
        Date.now(),
      ])
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
