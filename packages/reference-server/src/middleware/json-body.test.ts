import { describe, expect, it } from 'vitest'
import { codeOf, type TestServer, testServer } from '../test/harness.js'
import { MAX_BODY_BYTES } from './json-body.js'

// The protocol's conventions for JSON bodies: 415 for another content type, 400 invalid_json, 413 over
// 16 KiB, 400 invalid_request with one detail per offending field path; never a 5xx, and nothing changes.

interface Endpoint {
  method: string
  path: string
  /** A body the endpoint accepts (or at least gets past its body check with). */
  good: Record<string, unknown>
  auth?: 'alice' | 'root'
}

const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/auth/register', good: { username: 'carol', password: 'carol-password' } },
  { method: 'POST', path: '/auth/login', good: { username: 'alice', password: 'alice-password' } },
  { method: 'POST', path: '/auth/refresh', good: { refresh_token: 'x'.repeat(43) } },
  { method: 'POST', path: '/auth/logout', good: { refresh_token: 'x'.repeat(43) } },
  {
    method: 'POST',
    path: '/auth/password',
    good: { current_password: 'alice-password', new_password: 'another-password' },
    auth: 'alice',
  },
  { method: 'POST', path: '/api/notes', good: { text: 'hello' }, auth: 'alice' },
  { method: 'PATCH', path: '/admin/users/USER', good: { role: 'admin' }, auth: 'root' },
]

/** Sends a raw body (no content type unless given) to an endpoint, as the endpoint's user. */
async function setup() {
  const s = await testServer()
  const tokens = { alice: (await s.login('alice')).access_token, root: (await s.login('root')).access_token }
  const bob = await s.user('bob')
  const send = (e: Endpoint, body: BodyInit | null, headers: Record<string, string> = {}) =>
    s.app.request(e.path.replace('USER', bob.id), {
      method: e.method,
      headers: { ...(e.auth ? { authorization: `Bearer ${tokens[e.auth]}` } : {}), ...headers },
      body,
      // Needed by Node for a stream body; harmless for the others.
      duplex: 'half',
    } as RequestInit)
  return { s, send, bob }
}

const JSON_TYPE = { 'content-type': 'application/json' }

/** What must stay unchanged after a refused request: users, bob's role, alice's notes and sessions. */
async function snapshot(s: TestServer) {
  const users = await s.store.listUsers()
  const alice = await s.user('alice')
  return {
    users: users.map((u) => [u.username, u.role, u.enabled, u.passwordHash, u.secret]),
    notes: await s.store.listNotes(alice.id),
    sessions: (await s.liveSessions(alice.id)).length,
  }
}

describe('Content-Type', () => {
  it.each(ENDPOINTS)('$method $path: 415 unsupported_media_type for a body in another type', async (e) => {
    const { s, send } = await setup()
    const before = await snapshot(s)
    const body = JSON.stringify(e.good)
    for (const type of [
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/xml',
    ]) {
      const res = await send(e, body, { 'content-type': type })
      expect(res.status).toBe(415)
      expect(await codeOf(res)).toBe('unsupported_media_type')
    }
    // No content type at all (a byte body gets none).
    const bare = await send(e, new TextEncoder().encode(body))
    expect(bare.status).toBe(415)
    expect(await codeOf(bare)).toBe('unsupported_media_type')
    expect(await snapshot(s)).toEqual(before)
  })

  it('takes application/json with parameters and +json types', async () => {
    const { s, send } = await setup()
    const login = ENDPOINTS[1]!
    for (const type of [
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/vnd.leash+json',
    ]) {
      const res = await send(login, JSON.stringify(login.good), { 'content-type': type })
      expect(res.status).toBe(200)
    }
    const notes = ENDPOINTS[5]!
    expect(
      (await send(notes, JSON.stringify(notes.good), { 'content-type': 'application/json;charset=UTF-8' }))
        .status,
    ).toBe(201)
    expect((await s.store.listNotes((await s.user('alice')).id)).length).toBe(1)
  })

  it('a login sent as a form does not sign anyone in', async () => {
    const { s, send } = await setup()
    const res = await send(ENDPOINTS[1]!, 'username=bob&password=bob-password', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(res.status).toBe(415)
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(await s.liveSessions((await s.user('bob')).id)).toEqual([])
  })
})

describe('malformed JSON', () => {
  it.each(ENDPOINTS)('$method $path: 400 invalid_json', async (e) => {
    const { s, send } = await setup()
    const before = await snapshot(s)
    for (const body of [
      '{',
      '{"username":',
      "{'a':1}",
      '{"a":1,}',
      'undefined',
      'NaN',
      '{"a":1}{"b":2}',
      '{"a":"\\x41"}',
    ]) {
      const res = await send(e, body, JSON_TYPE)
      expect(res.status).toBe(400)
      expect(await codeOf(res)).toBe('invalid_json')
    }
    expect(await snapshot(s)).toEqual(before)
  })
})

describe('body size', () => {
  const oversize = (e: Endpoint) => JSON.stringify({ ...e.good, pad: 'x'.repeat(MAX_BODY_BYTES) })

  it('the limit is 16 KiB', () => {
    expect(MAX_BODY_BYTES).toBe(16 * 1024)
  })

  it.each(ENDPOINTS)('$method $path: 413 payload_too_large, streamed or with a content-length', async (e) => {
    const { s, send } = await setup()
    const before = await snapshot(s)
    const body = oversize(e)
    const plain = await send(e, body, JSON_TYPE)
    expect(plain.status).toBe(413)
    expect(await codeOf(plain)).toBe('payload_too_large')

    const declared = await send(e, body, { ...JSON_TYPE, 'content-length': String(body.length) })
    expect(declared.status).toBe(413)
    expect(await codeOf(declared)).toBe('payload_too_large')

    // No content-length: a stream in 1 KiB chunks, counted as it arrives.
    const bytes = new TextEncoder().encode(body)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1024) controller.enqueue(bytes.subarray(i, i + 1024))
        controller.close()
      },
    })
    const streamed = await send(e, stream, JSON_TYPE)
    expect(streamed.status).toBe(413)
    expect(await codeOf(streamed)).toBe('payload_too_large')
    expect(await snapshot(s)).toEqual(before)
  })

  it('a body of exactly 16 KiB is read; one byte more is not', async () => {
    const { send } = await setup()
    const login = ENDPOINTS[1]!
    const base = JSON.stringify({ ...login.good, pad: '' })
    const exact = JSON.stringify({ ...login.good, pad: 'x'.repeat(MAX_BODY_BYTES - base.length) })
    expect(exact.length).toBe(MAX_BODY_BYTES)
    expect((await send(login, exact, JSON_TYPE)).status).toBe(200)
    const over = await send(login, `${exact} `, JSON_TYPE)
    expect(over.status).toBe(413)
  })
})

describe('schema', () => {
  /** Sends the body as JSON; expects 400 invalid_request and returns the detail paths, sorted. */
  async function paths(s: TestServer, e: Endpoint, body: unknown, headers: Record<string, string> = {}) {
    const res = await s.json(e.method, e.path, body, headers)
    expect(res.status).toBe(400)
    const json = (await res.json()) as {
      error: { code: string; details: Array<{ path: string; message: string }> }
    }
    expect(json.error.code).toBe('invalid_request')
    for (const d of json.error.details) expect(typeof d.message).toBe('string')
    return json.error.details.map((d) => d.path).sort()
  }

  it('one detail per offending field path: missing, wrong type, over-long, several checks of one field', async () => {
    const s = await testServer()
    const [register, login, refresh] = ENDPOINTS as [Endpoint, Endpoint, Endpoint]
    const before = await snapshot(s)
    expect(await paths(s, register, {})).toEqual(['password', 'username'])
    expect(await paths(s, register, { username: 'carol' })).toEqual(['password'])
    expect(await paths(s, register, { username: 5, password: true })).toEqual(['password', 'username'])
    expect(await paths(s, register, { username: 'x'.repeat(65), password: 'p'.repeat(257) })).toEqual([
      'password',
      'username',
    ])
    // Too short and with a forbidden character: two checks fail, one entry.
    expect(await paths(s, register, { username: 'a!', password: 'carol-password' })).toEqual(['username'])
    expect(await paths(s, register, { username: 'carol', password: 'short' })).toEqual(['password'])
    expect(await paths(s, register, { username: 'carol', password: null })).toEqual(['password'])
    expect(await paths(s, login, { username: 'alice' })).toEqual(['password'])
    expect(
      await paths(s, login, { username: 'alice', password: 'alice-password', refresh_transport: 'pigeon' }),
    ).toEqual(['refresh_transport'])
    expect(await paths(s, login, { username: ['alice'], password: { $ne: null } })).toEqual([
      'password',
      'username',
    ])
    expect(await paths(s, refresh, { refresh_token: 42 })).toEqual(['refresh_token'])
    expect(await paths(s, refresh, { refresh_token: 'x'.repeat(513) })).toEqual(['refresh_token'])
    expect(await snapshot(s)).toEqual(before)
    expect((await s.store.listUsers()).map((u) => u.username)).not.toContain('carol')
  })

  it('the same on Bearer endpoints', async () => {
    const s = await testServer()
    const alice = (await s.login('alice')).access_token
    const root = (await s.login('root')).access_token
    const bob = await s.user('bob')
    const password = ENDPOINTS[4]!
    const notes = ENDPOINTS[5]!
    const as = (token: string) => ({ authorization: `Bearer ${token}` })
    const before = await snapshot(s)
    expect(await paths(s, password, { current_password: 'alice-password' }, as(alice))).toEqual([
      'new_password',
    ])
    expect(await paths(s, password, { current_password: 1, new_password: 'x' }, as(alice))).toEqual([
      'current_password',
      'new_password',
    ])
    expect(await paths(s, notes, {}, as(alice))).toEqual(['text'])
    expect(await paths(s, notes, { text: 5 }, as(alice))).toEqual(['text'])
    expect(await paths(s, notes, { text: 'x'.repeat(2001) }, as(alice))).toEqual(['text'])
    const patch = { method: 'PATCH', path: `/admin/users/${bob.id}`, good: {} }
    expect(await paths(s, patch, { role: 'superuser' }, as(root))).toEqual(['role'])
    expect(await paths(s, patch, {}, as(root))).toEqual(['role'])
    expect(await snapshot(s)).toEqual(before)
    // The alice token still works: the password did not change.
    expect((await s.bearer(alice)).status).toBe(200)
  })

  it.each(ENDPOINTS)(
    '$method $path: 400 invalid_request for a JSON body that is not an object',
    async (e) => {
      const { s, send } = await setup()
      const before = await snapshot(s)
      for (const body of ['[]', '[{"username":"alice"}]', '42', '"alice"', 'true', 'null']) {
        const res = await send(e, body, JSON_TYPE)
        expect(res.status).toBe(400)
        const json = (await res.json()) as { error: { code: string; details: Array<{ path: string }> } }
        expect(json.error.code).toBe('invalid_request')
        expect(json.error.details).toHaveLength(1)
      }
      expect(await snapshot(s)).toEqual(before)
    },
  )
})

describe('never a 5xx', () => {
  const BAD: Array<[string, BodyInit, Record<string, string>]> = [
    ['empty object', '{}', JSON_TYPE],
    ['malformed', '{"a":', JSON_TYPE],
    ['array', '[1,2,3]', JSON_TYPE],
    ['null', 'null', JSON_TYPE],
    ['number', '1e999', JSON_TYPE],
    ['string', '"x"', JSON_TYPE],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, JSON_TYPE],
    ['deep object', `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`, JSON_TYPE],
    [
      'prototype keys',
      '{"__proto__":{"admin":true},"constructor":{"prototype":{}},"username":"alice"}',
      JSON_TYPE,
    ],
    ['operator objects', '{"username":{"$ne":null},"password":{"$gt":""},"text":{},"role":[]}', JSON_TYPE],
    [
      'every field a number',
      '{"username":1,"password":2,"refresh_token":3,"current_password":4,"new_password":5,"text":6,"role":7}',
      JSON_TYPE,
    ],
    [
      'lone surrogates',
      '{"username":"\\ud800","password":"\\udfff-password","refresh_token":"\\ud800"}',
      JSON_TYPE,
    ],
    ['NUL bytes', '{"username":"al\\u0000ice","password":"\\u0000","refresh_token":"\\u0000"}', JSON_TYPE],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), JSON_TYPE],
    ['binary', new Uint8Array([0, 1, 2, 3, 255, 254]), JSON_TYPE],
    ['huge number', '{"username":1e400,"password":-1e400,"text":1e400}', JSON_TYPE],
    [
      'very long strings',
      JSON.stringify({ username: 'u'.repeat(5000), password: 'p'.repeat(5000), text: 't'.repeat(5000) }),
      JSON_TYPE,
    ],
    ['oversize', JSON.stringify({ pad: 'x'.repeat(20_000) }), JSON_TYPE],
    ['text/plain', '{"username":"alice"}', { 'content-type': 'text/plain' }],
    ['no content type', new TextEncoder().encode('{"a":1}'), {}],
    ['charset utf-16', '{"username":"alice"}', { 'content-type': 'application/json; charset=utf-16' }],
    ['gzip claimed', '{"a":1}', { ...JSON_TYPE, 'content-encoding': 'gzip' }],
    ['byte-order mark', '\uFEFF{}', JSON_TYPE],
    ['whitespace only', '   \n\t ', { 'content-type': 'text/plain' }],
  ]

  it.each(ENDPOINTS)('$method $path answers every bad body with a coded 4xx', async (e) => {
    const { s, send } = await setup()
    const before = await snapshot(s)
    for (const [name, body, headers] of BAD) {
      const res = await send(e, body, headers)
      const text = await res.text()
      expect(res.status, `${name}: ${text}`).toBeLessThan(500)
      expect(res.status, `${name}: ${text}`).toBeGreaterThanOrEqual(400)
      const parsed = JSON.parse(text) as { error?: { code?: unknown } }
      expect(typeof parsed.error?.code, name).toBe('string')
    }
    expect(await snapshot(s)).toEqual(before)
  })
})
