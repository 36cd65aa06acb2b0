import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv, Deps } from '../context.js'
import { requireBearer } from '../middleware/bearer.js'
import { readJson } from '../middleware/json-body.js'
import type { NoteRecord } from '../store/types.js'
import { randomId } from '../tokens/random.js'

// Text must be well-formed Unicode with no NUL: a lone surrogate would not read back as written, and
// PostgreSQL refuses NUL in text.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const newNote = z.object({
  text: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .refine(
      (t) => !LONE_SURROGATE.test(t) && !t.includes('\0'),
      'must be well-formed Unicode text without NUL',
    ),
})
const view = (n: NoteRecord) => ({ id: n.id, text: n.text, created_at: new Date(n.createdAt).toISOString() })

/** /api/*: the demo's protected resource, each user's own notes. */
export function apiRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()
  app.use('*', requireBearer(deps))
  app.get('/notes', async (c) => {
    const notes = await deps.store.listNotes(c.get('principal').user.id)
    return c.json({ notes: notes.map(view), user_enabled: true })
  })
  app.post('/notes', async (c) => {
    const { text } = await readJson(c, newNote)
    const note = await deps.store.addNote({
      id: randomId(),
      userId: c.get('principal').user.id,
      text,
      createdAt: deps.now(),
    })
    return c.json({ note: view(note), user_enabled: true }, 201)
  })
  return app
}
