import { MAX_BODY_BYTES } from '@leash/protocol'
import type { Context } from 'hono'
import type { z } from 'zod'
import { apiError } from '../errors.js'

/** Request bodies above this are refused with 413 before they are read in full. */
export { MAX_BODY_BYTES }

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

/**
 * Reads and validates a JSON body. An empty body counts as `{}` (so optional-body endpoints need no
 * content type); anything else must be `application/json`, parse, and match the schema.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text()
  let value: unknown = {}
  if (text.trim() !== '') {
    const type = c.req.header('content-type') ?? ''
    if (!JSON_TYPE.test(type)) {
      throw apiError('unsupported_media_type')
    }
    try {
      value = JSON.parse(text)
    } catch {
      throw apiError('invalid_json')
    }
  }
  const result = schema.safeParse(value)
  if (!result.success) {
    // One entry per offending field path (zod may report several checks of one field).
    const byPath = new Map<string, string[]>()
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.') || '(body)'
      byPath.set(path, [...(byPath.get(path) ?? []), issue.message])
    }
    const details = [...byPath].map(([path, messages]) => ({ path, message: messages.join('; ') }))
    throw apiError('invalid_request', { details })
  }
  return result.data
}
