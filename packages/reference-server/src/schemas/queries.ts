import { auditEventTypes, DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE } from '@leash/protocol'
import type { Context } from 'hono'
import { z } from 'zod'
import { apiError } from '../errors.js'
import { text } from './text.js'

/** A page cursor: `next` of the page before (`<time>_<id>`), or an epoch-ms time alone. */
const CURSOR = /^(\d{1,16})(?:_([A-Za-z0-9_-]{1,128}))?$/

/**
 * Every query string a route reads, by its name in the OpenAPI document (each field a query parameter).
 * Every value arrives as text; the schema turns it into what the route takes.
 */
export const queries = {
  AuditEventsQuery: z.object({
    user: text(1, 128).optional().describe('Only events about this user id.'),
    type: z.enum(auditEventTypes).optional().describe('Only events of this type.'),
    before: z
      .string()
      .regex(CURSOR, 'a cursor (`next` of the page before) or an epoch-ms time')
      .optional()
      .describe('Only events older than this: the `next` of the page before, or an epoch-ms time.'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_AUDIT_PAGE)
      .default(DEFAULT_AUDIT_PAGE)
      .describe(`Events per page (default ${DEFAULT_AUDIT_PAGE}, at most ${MAX_AUDIT_PAGE}).`),
  }),
}

/** The cursor a `before` names: (time, id), or a time alone. */
export function parseCursor(before: string): { time: number; id: string | null } {
  const [, time, id] = CURSOR.exec(before)!
  return { time: Number(time), id: id ?? null }
}

/** The cursor of the page after one ending with `last`. */
export const cursorOf = (last: { time: number; id: string }) => `${last.time}_${last.id}`

/** Reads and validates the query string: 400 `invalid_request` with one detail per offending parameter. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.query())
  if (result.success) return result.data
  const details = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(query)',
    message: issue.message,
  }))
  throw apiError('invalid_request', { details })
}
