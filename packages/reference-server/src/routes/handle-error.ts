import type { Context } from 'hono'
import { ApiError, ServerBusyError, StoreUnavailableError, UnstorableTextError } from '../errors.js'
import { causeText, type LogEntry } from '../log.js'
import { errorResponse } from './respond.js'

/**
 * The error handler of the Leash routes: an `ApiError` as the protocol's error body, the store's and the
 * hashing gate's failures as coded 400 and 503s, anything else a 500. Every 500 and 503 is logged with a
 * level, so `LEASH_LOG=warn` still shows it.
 */
export const handleError = (log: (entry: LogEntry) => void) => (error: Error, c: Context) => {
  if (error instanceof ApiError) return errorResponse(c, error)
  if (error instanceof UnstorableTextError) {
    // A client string that slipped past the input checks: bad input all the same, never a 500.
    log({ level: 'warn', msg: 'store refused text', path: c.req.path, error: causeText(error) })
    return errorResponse(
      c,
      new ApiError(400, 'invalid_request', 'The request holds text the server cannot store.'),
    )
  }
  if (error instanceof ServerBusyError) {
    log({ level: 'warn', msg: 'server busy: password hashing at capacity', path: c.req.path })
    const headers = { 'Retry-After': String(error.retryAfter) }
    return errorResponse(
      c,
      new ApiError(503, 'server_busy', 'The server is busy; try again later.', { headers }),
    )
  }
  if (error instanceof StoreUnavailableError) {
    log({ level: 'warn', msg: 'store unavailable', path: c.req.path, error: causeText(error) })
    c.header('Retry-After', '1')
    return errorResponse(c, new ApiError(503, 'store_unavailable', 'The session store cannot be reached.'))
  }
  log({ level: 'error', msg: 'unhandled error', path: c.req.path, error: error.stack ?? String(error) })
  return errorResponse(c, new ApiError(500, 'internal_error', 'Something went wrong on the server.'))
}
