import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { readJson } from '../middleware/json-body.js'
import type { LeashEnv } from '../middleware/require-session.js'
import type { NoteRecord, Store } from '../store/types.js'
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
    return c.json({ notes: notes.map(view), user_enabled: true })
  })
  app.post('/notes', async (c) => {
    const { text } = await readJson(c, newNote)
    const note = await store.addNote({
      id: randomId(),
      userId: c.get('leash').user.id,
      text,
      createdAt: now(),
    })
    return c.json({ note: view(note), user_enabled: true }, 201)
  })
  return app
}
