import { expect, test } from 'vitest'
import { LeashError } from './errors.js'
import {
  endsSession,
  refreshMarginOf,
  retryable,
  retryDelay,
  shouldRefresh,
  warningOf,
} from './refresh-policy.js'
import type { StoredSession } from './tokens.js'

const T = 1_000_000
/** A record issued at T with the server's durations in seconds. */
const issued = (ttl: number, idle: number, absolute = 43_200): StoredSession => ({
  accessToken: 't',
  accessExpiresAt: T + ttl * 1000,
  idleExpiresAt: T + idle * 1000,
  absoluteExpiresAt: T + absolute * 1000,
  issuedAt: T,
  user: { id: 'u', username: 'alice', role: 'user' },
})

test('the refresh margin is the option, at most half the token lifetime', () => {
  expect(refreshMarginOf(issued(300, 1800), 60_000)).toBe(60_000)
  expect(refreshMarginOf(issued(60, 1800), 60_000)).toBe(30_000) // TTL at the default margin: no storm
  expect(refreshMarginOf(issued(3, 12), 10_000)).toBe(1_500)
})

test('a refresh is due within the margin, and only after activity strictly after the token was taken', () => {
  const r = issued(60, 1800)
  expect(shouldRefresh(r, T + 29_999, T + 20_000, T, 60_000)).toBe(false)
  expect(shouldRefresh(r, T + 30_000, T + 20_000, T, 60_000)).toBe(true)
  expect(shouldRefresh(r, T + 30_000, T, T, 60_000)).toBe(false) // the activity that made the token
  expect(shouldRefresh(r, T + 90_000, Number.NEGATIVE_INFINITY, T, 60_000)).toBe(false) // idle
})

test('the warning lead is warnBefore, at most half the idle window and half the absolute remainder', () => {
  // the protocol's defaults: a minute before the idle end
  expect(warningOf(issued(300, 1800), 60_000)).toEqual({
    endsAt: T + 1_800_000,
    reason: 'idle',
    opensAt: T + 1_740_000,
  })
  // idle 12 s with a 30 s warning: 6 s before the end, so never at sign-in
  expect(warningOf(issued(3, 12), 30_000).opensAt).toBe(T + 6_000)
  // idle 60 s with the default 60 s warning: half-way
  expect(warningOf(issued(60, 60), 60_000).opensAt).toBe(T + 30_000)
  // near the absolute end: half of what remains, with the absolute reason
  expect(warningOf(issued(60, 1800, 20), 60_000)).toEqual({
    endsAt: T + 20_000,
    reason: 'absolute',
    opensAt: T + 10_000,
  })
})

test('retries back off 1, 2, 4, 8, 16 s, capped at 30 s; only 401 and 403 end the session', () => {
  expect([0, 1, 2, 3, 4, 5, 9].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
  const e = (status?: number) => new LeashError(status ? 'http_error' : 'network_error', status)
  expect([e(), e(500), e(503), e(429), e(408), e(400), e(401)].map(retryable)).toEqual([
    true,
    true,
    true,
    true,
    true,
    false,
    false,
  ])
  expect([e(), e(500), e(400), e(401), e(403)].map(endsSession)).toEqual([false, false, false, true, true])
})
