import type { Note, NoteResponse, NotesResponse } from '@leash/protocol'
import { Hono } from 'hono'
import type { AppEnv, Deps } from '../context.js'
import { requireBearer } from '../middleware/bearer.js'
import { readJson } from '../middleware/json-body.js'
import { requests } from '../schemas/requests.js'
import type { NoteRecord } from '../store/types.js'
import { randomId } from '../tokens/random.js'

const view = (n: NoteRecord): Note => ({
  id: n.id,
  text: n.text,
  created_at: new Date(n.createdAt).toISOString(),
})

/** /api/*: the demo's protected resource, each user's own notes. */
export function apiRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()
  app.use('*', requireBearer(deps))
  app.get('/notes', async (c) => {
    const notes = await deps.store.listNotes(c.get('principal').user.id)
    return c.json({ notes: notes.map(view), user_enabled: true } satisfies NotesResponse)
  })
  app.post('/notes', async (c) => {
    const { text } = await readJson(c, requests.NewNoteRequest)
    const note = await deps.store.addNote({
      id: randomId(),
      userId: c.get('principal').user.id,
      text,
      createdAt: deps.now(),
    })
    return c.json({ note: view(note), user_enabled: true } satisfies NoteResponse, 201)
  })
  return app
}
