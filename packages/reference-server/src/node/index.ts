// `@leash/reference-server/node`: what needs Node (sockets, files, native SQLite, PostgreSQL, Redis,
// node:crypto). Everything portable is in `@leash/reference-server`.
export { appFromEnv, type EnvApp } from './app-from-env.js'
export { createRedisRateLimiter } from './auth/redis-rate-limit.js'
export { createScryptHasher, OWASP_SCRYPT, type ScryptParams } from './auth/scrypt-hasher.js'
export { createRedisBus, type RedisBusOptions } from './bus/redis.js'
export { createSmtpMailer, type SmtpMailerOptions } from './mail/smtp-mailer.js'
export { type RunningServer, startServer, startupFailure } from './main.js'
export { nodeAuthorization, nodeClientIp, nodeClientIpBehind, nodeCookie } from './node-request.js'
export { createPostgresStore, type PostgresStoreOptions } from './store/postgres.js'
export { createSqliteStore } from './store/sqlite.js'
export type { SqliteStoreOptions } from './store/sqlite-schema.js'
export { nodeCodec } from './tokens/node-codec.js'
export { type EnvVerifier, verifierFromEnv } from './verifier-from-env.js'
