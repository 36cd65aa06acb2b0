export type { RevokeSessionResponse, SignedInSession, TokenResponse } from '@leash/protocol'
export type { ActivityMode, EventSource } from './activity.js'
export { type Credentials, createLeashClient, type LeashClient } from './client.js'
export type { ChannelFactory, LeashMessage, Lock } from './cross-tab.js'
export { type ClientErrorCode, LeashError, type LeashErrorCode } from './errors.js'
export type { LeashEvents, LeashListener } from './events.js'
export type { LeashFetch } from './fetch.js'
export type { LeashOptions } from './options.js'
export type { LeashRequestOptions } from './pipeline.js'
export {
  type EndReason,
  isLive,
  type LeashState,
  type LeashStatus,
  type LeashStore,
  type SessionWarning,
} from './state.js'
export {
  type MaybePromise,
  memoryStorage,
  type StorageAdapter,
  type StorageOption,
  type SyncStorage,
} from './storage.js'
export type { LeashUser, StoredSession } from './tokens.js'
