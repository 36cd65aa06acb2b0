import type { ErrorCode } from '@leash/protocol'
import type { Context } from 'hono'
import { errorResponse, type Failure } from './error-response.js'

/** The code each error answer was sent with, for the app's request middleware to count (`answeredCode`). */
const answered = new WeakMap<Context, ErrorCode>()

/** Answers a failure on a Hono context, exactly as `errorResponse` spells it. */
export function sendError(c: Context, failure: Failure) {
  const { status, headers, body } = errorResponse(failure)
  answered.set(c, failure.code)
  return c.json(body, status, headers)
}

/** The code of the error this request was answered with through `sendError`, if it was. */
export const answeredCode = (c: Context): ErrorCode | undefined => answered.get(c)
