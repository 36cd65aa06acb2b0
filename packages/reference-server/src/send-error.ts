import type { Context } from 'hono'
import { errorResponse, type Failure } from './error-response.js'

/** Answers a failure on a Hono context, exactly as `errorResponse` spells it. */
export function sendError(c: Context, failure: Failure) {
  const { status, headers, body } = errorResponse(failure)
  return c.json(body, status, headers)
}
