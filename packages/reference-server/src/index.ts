export { type AppOptions, createApp, type LeashApp, type LogEntry } from './app.js'
export type { AdminActions } from './auth/admin.js'
export type { Principal } from './auth/authenticate.js'
export { createHashGate, type HashGateOptions } from './auth/hash-gate.js'
export { createPbkdf2Hasher, type PasswordHasher } from './auth/passwords.js'
export { type Attempt, createMemoryRateLimiter, type RateLimiter } from './auth/rate-limit.js'
export { createScryptHasher, OWASP_SCRYPT, type ScryptParams } from './auth/scrypt-hasher.js'
export { createInProcessBus } from './bus/in-process.js'
export type { Bus, Invalidation } from './bus/types.js'
export { ConfigError, configFromEnv, defaultConfig, type ServerConfig } from './config.js'
export {
  ApiError,
  type ApiErrorCode,
  apiError,
  LastAdminError,
  ServerBusyError,
  StoreUnavailableError,
  UnstorableTextError,
} from './errors.js'
export { type RunningServer, startServer } from './main.js'
export { parseSeedUsers, type SeedUser, seedUsers } from './seed.js'
export { createMemoryStore } from './store/memory.js'
export { createSqliteStore } from './store/sqlite.js'
export type * from './store/types.js'
export type { AccessClaims } from './tokens/claims.js'
export type { SigningKey, TokenCodec } from './tokens/codec.js'
export { joseCodec } from './tokens/jose-codec.js'
export { nodeCodec } from './tokens/node-codec.js'
