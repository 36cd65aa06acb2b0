import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/memory.js'
import { codeOf, testServer } from '../test/harness.js'

// /api/notes (the demo's protected resource) and what an unknown path answers (/healthz: health.test.ts).

interface Note {
  id: string
  text: string
  created_at: string
}

describe('/api/notes', () => {
  it('each user sees only their own notes, and they persist across requests and sessions', async () => {
    const s = await testServer()
    const alice = await s.login('alice')
    const bob = await s.login('bob')
    const empty = await s.bearer(alice.access_token, 'GET', '/api/notes')
    expect(empty.status).toBe(200)
    expect(await empty.json()).toEqual({ notes: [], user_enabled: true })

    const created = await s.bearer(alice.access_token, 'POST', '/api/notes', { text: '  first  ' })
    expect(created.status).toBe(201)
    const { note } = (await created.json()) as { note: Note; user_enabled: boolean }
    expect(note).toEqual({
      id: expect.any(String),
      text: 'first',
      created_at: new Date(s.clock.now()).toISOString(),
    })
    s.clock.advance(5)
    expect((await s.bearer(alice.access_token, 'POST', '/api/notes', { text: 'second' })).status).toBe(201)
    expect((await s.bearer(bob.access_token, 'POST', '/api/notes', { text: 'bob’s' })).status).toBe(201)

    const mine = (await (await s.bearer(alice.access_token, 'GET', '/api/notes')).json()) as { notes: Note[] }
    expect(mine.notes.map((n) => n.text)).toEqual(['first', 'second'])
    expect(mine.notes[0]).toEqual(note)
    const bobs = (await (await s.bearer(bob.access_token, 'GET', '/api/notes')).json()) as { notes: Note[] }
    expect(bobs.notes.map((n) => n.text)).toEqual(['bob’s'])

    // A new session of alice's reads the same notes.
    const later = await s.login('alice')
    const again = (await (await s.bearer(later.access_token, 'GET', '/api/notes')).json()) as {
      notes: Note[]
    }
    expect(again.notes.map((n) => n.id)).toEqual(mine.notes.map((n) => n.id))
  })

  it('persist in the store: a new app over the same store still has them', async () => {
    const store = createMemoryStore()
    const first = await testServer({ store })
    const t = await first.login('alice')
    expect((await first.bearer(t.access_token, 'POST', '/api/notes', { text: 'kept' })).status).toBe(201)
    const second = await testServer({ store })
    const t2 = await second.login('alice')
    const res = (await (await second.bearer(t2.access_token, 'GET', '/api/notes')).json()) as {
      notes: Note[]
    }
    expect(res.notes.map((n) => n.text)).toEqual(['kept'])
  })

  it('400 invalid_request for empty, blank, over-long or non-string text; 2000 characters is fine', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    for (const text of [
      '',
      '   ',
      '\n\t',
      'x'.repeat(2001),
      5,
      null,
      ['x'],
      'lone \ud800 surrogate',
      'nul \u0000 inside',
    ]) {
      const res = await s.bearer(t.access_token, 'POST', '/api/notes', { text })
      expect(res.status).toBe(400)
      expect(await codeOf(res)).toBe('invalid_request')
    }
    expect(await s.store.listNotes(t.user.id)).toEqual([])
    const longest = await s.bearer(t.access_token, 'POST', '/api/notes', { text: 'x'.repeat(2000) })
    expect(longest.status).toBe(201)
    expect(await longest.json()).toMatchObject({ user_enabled: true })
    expect(await s.store.listNotes(t.user.id)).toHaveLength(1)
  })

  it('a disabled user can neither read nor write', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const root = await s.login('root')
    expect((await s.bearer(root.access_token, 'POST', `/admin/users/${t.user.id}/disable`)).status).toBe(200)
    for (const res of [
      await s.bearer(t.access_token, 'GET', '/api/notes'),
      await s.bearer(t.access_token, 'POST', '/api/notes', { text: 'hi' }),
    ]) {
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
    }
    expect(await s.store.listNotes(t.user.id)).toEqual([])
  })
})

describe('unknown paths', () => {
  it.each([
    ['GET', '/nope'],
    ['POST', '/auth/nope'],
    ['GET', '/api/nope'],
    ['GET', '/'],
  ])('%s %s: 404 with a JSON error body', async (method, path) => {
    const s = await testServer()
    const t = await s.login('alice')
    const res = await s.bearer(t.access_token, method, path)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('not_found')
    expect(typeof body.error.message).toBe('string')
  })
})
