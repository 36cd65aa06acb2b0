// `@leash/reference-server`: the portable core. Nothing here imports a Node builtin or a native module, so
// it bundles for a browser or a worker (a test proves it); what needs Node is `@leash/reference-server/node`.
export { type AppOptions, createApp, type LeashApp, type LogEntry } from './app.js'
export type { LeashAdmin } from './auth/admin.js'
export { clientAddress, parseTrustedProxies, type TrustedProxies } from './auth/client-address.js'
export { createHashGate, type HashGateOptions } from './auth/hash-gate.js'
export type { KeyOptions } from './auth/keys.js'
export { createPbkdf2Hasher, type PasswordHasher } from './auth/passwords.js'
export { type Attempt, createMemoryRateLimiter, type RateLimiter } from './auth/rate-limit.js'
export type { Refusal, RefusalCode } from './auth/refusal.js'
export type { AccountUser, AdminUser, PublicUser } from './auth/views.js'
export { createInProcessBus } from './bus/in-process.js'
export type { Bus, Invalidation } from './bus/types.js'
export { ConfigError, configFromEnv, defaultConfig, type ServerConfig } from './config.js'
export { type RefusalResponse, refusalResponse } from './error-response.js'
export {
  ApiError,
  type ApiErrorCode,
  apiError,
  LastAdminError,
  ServerBusyError,
  StoreUnavailableError,
  UnstorableTextError,
} from './errors.js'
export {
  createMemoryMailer,
  type Mailer,
  type MailMessage,
  type MemoryMailer,
  type SentMail,
} from './mail/mailer.js'
export {
  type BusOperation,
  countEvent,
  type Metrics,
  noMetrics,
  type RevocationReason,
  type StoreOperation,
} from './metrics.js'
export type { LeashEnv, RequireSessionOptions } from './middleware/require-session.js'
export { parseSeedUsers, type SeedUser, seedUsers } from './seed.js'
export { createMemoryStore } from './store/memory.js'
export type * from './store/types.js'
export type { AccessClaims } from './tokens/claims.js'
export type { SigningKey, TokenCodec } from './tokens/codec.js'
export { joseCodec } from './tokens/jose-codec.js'
export {
  DEFAULT_KEY_ID,
  type Keyring,
  type KeyringKey,
  validateKeyring,
} from './tokens/keyring.js'
export {
  createVerifier,
  type Principal,
  type Verifier,
  type VerifierOptions,
  type Verify,
  type VerifyOptions,
  type VerifyResult,
} from './verifier.js'
