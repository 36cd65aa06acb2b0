import type Database from 'better-sqlite3'
import { AUDIT_TABLE } from './audit-sql.js'
import { OUTBOX_TABLE } from './outbox-sql.js'

/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Append, never edit. */
const migrations = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     username TEXT NOT NULL,
     username_key TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     role TEXT NOT NULL,
     enabled INTEGER NOT NULL,
     secret TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     created_at INTEGER NOT NULL,
     last_refresh_at INTEGER NOT NULL,
     absolute_expires_at INTEGER NOT NULL,
     transport TEXT NOT NULL,
     ended_at INTEGER,
     end_reason TEXT
   );
   CREATE INDEX sessions_user ON sessions(user_id);
   CREATE TABLE refresh_tokens (
     hash TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
     issued_at INTEGER NOT NULL,
     used_at INTEGER,
     use_count INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);
   CREATE TABLE notes (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     text TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX notes_user ON notes(user_id, created_at);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: a family's one live refresh token, and the one it replaced, on the session row (see refresh-rule.ts).
  // A live session keeps its newest unused token; if an old fork left two, the other is reuse from now on.
  `ALTER TABLE sessions ADD COLUMN refresh_current TEXT;
   ALTER TABLE sessions ADD COLUMN refresh_previous TEXT;
   ALTER TABLE sessions ADD COLUMN refresh_previous_used_at INTEGER;
   ALTER TABLE sessions ADD COLUMN refresh_retried INTEGER NOT NULL DEFAULT 0;
   UPDATE sessions SET refresh_current = (
     SELECT hash FROM refresh_tokens t WHERE t.session_id = sessions.id AND t.use_count = 0
     ORDER BY t.issued_at DESC LIMIT 1
   ) WHERE ended_at IS NULL;`,
  // 3: the User-Agent a session was signed in with, for the user's list of signed-in devices.
  'ALTER TABLE sessions ADD COLUMN user_agent TEXT;',
  // 4: the audit trail (see `auditEventTable` in @leash/protocol).
  AUDIT_TABLE('INTEGER'),
  // 5: the outbox, each invalidation in its change's transaction (AUTOINCREMENT: a seq is never reused).
  OUTBOX_TABLE('INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER'),
  // 6: the email address (unique ignoring case: email_key is it lower-cased) and the single-use links
  // mailed to it (verification, password reset), kept as SHA-256 hashes only.
  `ALTER TABLE users ADD COLUMN email TEXT;
   ALTER TABLE users ADD COLUMN email_key TEXT;
   ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
   CREATE UNIQUE INDEX users_email_key ON users(email_key);
   CREATE TABLE account_tokens (
     hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     purpose TEXT NOT NULL,
     email TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX account_tokens_user ON account_tokens(user_id, purpose);`,
  // 7: pruning finds what ended or expired by index, not by scanning every session (a batch on a million
  // sessions took 31 ms median, 82 ms at worst, on the event loop; 0.5 ms with these).
  `CREATE INDEX sessions_ended ON sessions(ended_at) WHERE ended_at IS NOT NULL;
   CREATE INDEX sessions_absolute ON sessions(absolute_expires_at) WHERE ended_at IS NULL;`,
  // 8: when the user last proved their password in the session (the access token's `auth_time`): the
  // sign-in, or a step-up. Sessions from before count as signed in when they were created. Nullable, so a
  // server from before can still insert sessions in a rolling upgrade (read back as `created_at`).
  `ALTER TABLE sessions ADD COLUMN auth_time INTEGER;
   UPDATE sessions SET auth_time = created_at;`,
]

/**
 * The sessions pruning deletes, at most `LIMIT` at a time: ended, or past their absolute end, before the
 * cut-off (both parameters). Served by migration 7's two partial indexes.
 */
export const PRUNE_SESSIONS = `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
  WHERE (ended_at IS NOT NULL AND ended_at < ?) OR (ended_at IS NULL AND absolute_expires_at < ?) LIMIT ?)`

/** Options of `createSqliteStore`. */
export interface SqliteStoreOptions {
  /**
   * `full` (the default): a commit is on disk when it returns, so a power cut cannot bring back a session
   * that was revoked. `normal`: in WAL mode the last commits may be lost to a power cut (not to a crash of
   * the process), for cheaper commits.
   */
  synchronous?: 'full' | 'normal'
}

/** The connection's settings: WAL, foreign keys, a busy timeout, and durable commits unless told otherwise. */
export function configure(db: Database.Database, options: SqliteStoreOptions): void {
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL): set it explicitly.
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
}

/** Creates the schema or runs the migrations it lacks, each in a transaction of its own. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > migrations.length) {
    throw new Error(
      `the database schema is version ${version}, newer than this server knows (${migrations.length})`,
    )
  }
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
