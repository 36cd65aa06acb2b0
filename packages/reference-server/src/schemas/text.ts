import { z } from 'zod'

/**
 * Refuses NUL: PostgreSQL refuses it in text (SQLSTATE 22021), so it is refused here, as a 400 naming the
 * field, on every store alike. A pattern rather than a refinement, so the OpenAPI document says so too.
 */
export const withoutNul = (schema: z.ZodString) => schema.regex(/^[^\0]*$/, 'must not contain NUL')

/** A string field of a request body: no client string may hold NUL. */
export const text = (min: number, max: number) => withoutNul(z.string().min(min).max(max))
