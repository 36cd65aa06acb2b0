import type { SessionRecord, UserRecord } from '../store/types.js'

// Records to feed a store in a test (the conformance suites re-export these with their stores).

export const user = (over: Partial<UserRecord> = {}): UserRecord => ({
  id: `u-${Math.random().toString(36).slice(2)}`,
  username: 'Alice',
  passwordHash: 'hash',
  role: 'user',
  enabled: true,
  secret: 'secret-1',
  createdAt: 1000,
  email: null,
  emailVerified: false,
  ...over,
})
export const session = (userId: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: `s-${Math.random().toString(36).slice(2)}`,
  userId,
  createdAt: 1000,
  lastRefreshAt: 1000,
  absoluteExpiresAt: 100_000,
  authTime: 1000,
  transport: 'cookie',
  userAgent: null,
  endedAt: null,
  endReason: null,
  ...over,
})
