import { createHmac } from 'node:crypto'
import { expect } from 'vitest'
import { type AppOptions, createApp, type LeashApp } from '../app.js'
import { createPbkdf2Hasher, type PasswordHasher } from '../auth/passwords.js'
import type { ServerConfig } from '../config.js'
import { createMemoryMailer, type MemoryMailer } from '../mail/mailer.js'
import { type SeedUser, seedUsers } from '../seed.js'
import { createMemoryStore } from '../store/memory.js'
import type { SessionCap, SessionRecord, Store } from '../store/types.js'
import type { AccessClaims } from '../tokens/claims.js'
import { keyInfo, type TokenCodec } from '../tokens/codec.js'
import { joseCodec } from '../tokens/jose-codec.js'
import { randomToken } from '../tokens/random.js'

/** The `globalSecret` every test server runs with. */
export const GLOBAL_SECRET = 'test-global-secret-that-is-32-bytes-long!!'

/** Where the links in a test server's mail point. */
export const LINK_ORIGIN = 'https://app.example'

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let t = start
  return {
    now: () => t,
    advance(seconds: number) {
      t += seconds * 1000
    },
  }
}

export const USERS: SeedUser[] = [
  { username: 'alice', password: 'alice-password' },
  { username: 'bob', password: 'bob-password' },
  { username: 'root', password: 'root-password', role: 'admin' },
]

/** The store, recording the id of every session created through it (the Store interface cannot list them). */
function recordingStore(store: Store, sessionIds: string[]): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'createSession') {
        return (session: SessionRecord, ...rest: [string, SessionCap?]) => {
          sessionIds.push(session.id)
          return target.createSession(session, ...rest)
        }
      }
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/**
 * A fast hasher (PBKDF2, 1,000 rounds) that counts its calls and can hold them: while held, every call
 * waits (counted already) until `release()`.
 */
export function controlledHasher() {
  const inner = createPbkdf2Hasher(1_000)
  const calls = { hash: 0, verify: 0 }
  let held: Promise<void> | undefined
  let release = () => {}
  const wait = () => held
  const hasher: PasswordHasher = {
    async hash(password) {
      calls.hash += 1
      await wait()
      return inner.hash(password)
    },
    async verify(password, stored) {
      calls.verify += 1
      await wait()
      return inner.verify(password, stored)
    },
  }
  return {
    hasher,
    calls,
    hold() {
      held = new Promise<void>((go) => {
        release = () => {
          held = undefined
          go()
        }
      })
    },
    release: () => release(),
  }
}

/** A server over the memory store (or the one given), with a fast hasher and a hand-moved clock. */
export async function testServer(
  options: {
    config?: Partial<ServerConfig>
    store?: Store
    codec?: TokenCodec
    users?: SeedUser[]
    hasher?: PasswordHasher
    /** Where account mail goes (default: a memory mailer, `mailbox`). */
    mailbox?: MemoryMailer
  } & Pick<AppOptions, 'rateLimiter' | 'log' | 'onEvent' | 'mailer' | 'mailRetry' | 'metrics'> = {},
) {
  const clock = manualClock()
  const store = options.store ?? createMemoryStore()
  const codec = options.codec ?? joseCodec
  const sessionIds: string[] = []
  const hasher = options.hasher ?? createPbkdf2Hasher(1_000)
  const mailbox = options.mailbox ?? createMemoryMailer(() => clock.now())
  const app: LeashApp = createApp({
    store: recordingStore(store, sessionIds),
    hasher,
    clock,
    codec,
    globalSecret: GLOBAL_SECRET,
    config: { secureCookies: false, ...options.config },
    clientIp: (c) => c.req.header('x-test-ip') ?? '127.0.0.1',
    ...(options.rateLimiter && { rateLimiter: options.rateLimiter }),
    ...(options.log && { log: options.log, logRequests: false }),
    ...(options.onEvent && { onEvent: options.onEvent }),
    ...(options.metrics && { metrics: options.metrics }),
    mailer: options.mailer ?? mailbox,
    linkOrigin: LINK_ORIGIN,
    ...(options.mailRetry && { mailRetry: options.mailRetry }),
  })
  await seedUsers(store, hasher, options.users ?? USERS, clock.now())

  const json = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })

  /** Logs in with body transport; returns the parsed token response. */
  const login = async (username: string, password = `${username}-password`) => {
    const res = await json('POST', '/auth/login', { username, password, refresh_transport: 'body' })
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
    return (await res.json()) as TokenBody
  }
  const bearer = (token: string, method = 'GET', path = '/auth/me', body?: unknown) =>
    json(method, path, body, { authorization: `Bearer ${token}` })

  /** Presents a refresh token in the body. */
  const refresh = (refreshToken: string) => json('POST', '/auth/refresh', { refresh_token: refreshToken })

  /** The stored user of that name (throws when there is none). */
  const user = async (username: string) => {
    const found = await store.findUserByUsername(username)
    if (!found) throw new Error(`no user ${username}`)
    return found
  }

  /** The sessions of the user that have not ended, among every session this server created. */
  const liveSessions = async (userId: string) => {
    const all = await Promise.all(sessionIds.map((id) => store.findSession(id)))
    return all.filter((s): s is SessionRecord => s !== null && s.userId === userId && s.endedAt === null)
  }

  /**
   * The global epoch the server's keys are derived from: set here, the way the server sets it, if nothing
   * has signed yet (the test's own way in to the store it created).
   */
  const epoch = () => store.initMeta('global_epoch', randomToken(16))

  /** The user's current HMAC key as raw bytes, for forging tokens with arbitrary headers. */
  const rawKey = async (userId: string) => {
    const found = await store.findUserById(userId)
    if (!found) throw new Error(`no user ${userId}`)
    return createHmac('sha256', GLOBAL_SECRET)
      .update(keyInfo(await epoch(), found.secret))
      .digest()
  }

  /** Signs claims with the server's own codec and the user's current key (the server's way of signing). */
  const sign = async (claims: AccessClaims) => {
    const found = await store.findUserById(claims.sub)
    if (!found) throw new Error(`no user ${claims.sub}`)
    return codec.sign(claims, await codec.deriveKey(GLOBAL_SECRET, await epoch(), found.secret), 'default')
  }

  let caller = 0
  /**
   * Asks for a password-reset link for the address (from an address of its own, so no limit of the test
   * is spent) and returns the token the mail carries, once the queued request is handled.
   */
  const resetToken = async (email: string) => {
    const res = await json(
      'POST',
      '/auth/password/forgot',
      { email },
      { 'x-test-ip': `203.0.113.${++caller}` },
    )
    if (res.status !== 200) throw new Error(`forgot ${email}: ${res.status} ${await res.text()}`)
    await app.flushMail()
    const token = mailbox.last(email)?.token
    if (!token) throw new Error(`no reset mail to ${email}`)
    return token
  }

  return {
    ...{ app, store, clock, codec, json, login, bearer, refresh, user, liveSessions, rawKey, sign },
    ...{ mailbox, resetToken },
  }
}

export type TestServer = Awaited<ReturnType<typeof testServer>>

export interface TokenBody {
  access_token: string
  token_type: string
  expires_in: number
  refresh_token?: string
  session: { id: string; idle_expires_in: number; absolute_expires_in: number }
  user: { id: string; username: string; role: string }
  user_enabled: boolean
}

/** The `error.code` of a response body. */
export async function codeOf(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { error?: { code?: string } }
  return body.error?.code
}

/** base64url of a string, or of a value's JSON. */
export const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** A compact JWS with any header and payload, MAC'd with `key` (HMAC-SHA256 unless told). */
export function forge(header: unknown, payload: unknown, key: Buffer, hash = 'sha256') {
  const input = `${b64url(header)}.${b64url(payload)}`
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`
}

/** The decoded payload of a compact JWS (no verification). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
}

/** The `leash_refresh` value a response sets, or undefined. */
export function refreshCookie(res: Response): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const match = /^leash_refresh=([^;]*)/.exec(line)
    if (match) return match[1]
  }
  return undefined
}

/** Asserts a response's status and `error.code`. */
export async function expectCode(res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status)
  expect(await codeOf(res)).toBe(code)
}
