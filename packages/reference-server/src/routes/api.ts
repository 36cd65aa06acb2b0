import type { Note, NoteResponse, NotesResponse } from '@leash/protocol'
import { Hono, type MiddlewareHandler } from 'hono'
import { readJson } from '../middleware/json-body.js'
import type { LeashEnv } from '../middleware/require-session.js'
import { requests } from '../schemas/requests.js'
import type { NoteRecord, Store } from '../store/types.js'
import { randomId } from '../tokens/random.js'

const view = (n: NoteRecord): Note => ({
  id: n.id,
  text: n.text,
  created_at: new Date(n.createdAt).toISOString(),
})

/**
 * /api/*: the demo's protected resource, each user's own notes. It is an app's own route like any other:
 * it knows the principal `requireSession` puts at `c.get('leash')`, and nothing else of Leash.
 */
export function apiRoutes(deps: {
  store: Pick<Store, 'listNotes' | 'addNote'>
  now: () => number
  requireSession: () => MiddlewareHandler<LeashEnv>
}) {
  const { store, now } = deps
  const app = new Hono<LeashEnv>()
  app.use('*', deps.requireSession())
  app.get('/notes', async (c) => {
    const notes = await store.listNotes(c.get('leash').user.id)
    return c.json({ notes: notes.map(view), user_enabled: true } satisfies NotesResponse)
  })
  app.post('/notes', async (c) => {
    const { text } = await readJson(c, requests.NewNoteRequest)
    const note = await store.addNote({
      id: randomId(),
      userId: c.get('leash').user.id,
      text,
      createdAt: now(),
    })
    return c.json({ note: view(note), user_enabled: true } satisfies NoteResponse, 201)
  })
  return app
}
