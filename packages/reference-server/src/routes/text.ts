import { z } from 'zod'

/**
 * A string field of a request body. No client string may hold NUL: PostgreSQL refuses it in text
 * (SQLSTATE 22021), so it is refused here, as a 400 naming the field, on every store alike.
 */
export const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !s.includes('\0'), 'must not contain NUL')
