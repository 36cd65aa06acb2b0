import type { Context } from 'hono'
import { ApiError, apiError, ServerBusyError, StoreUnavailableError, UnstorableTextError } from '../errors.js'
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
    return errorResponse(c, apiError('invalid_request'))
  }
  if (error instanceof ServerBusyError) {
    log({ level: 'warn', msg: 'server busy: password hashing at capacity', path: c.req.path })
    return errorResponse(c, apiError('server_busy', { headers: { 'Retry-After': String(error.retryAfter) } }))
  }
  if (error instanceof StoreUnavailableError) {
    log({ level: 'warn', msg: 'store unavailable', path: c.req.path, error: causeText(error) })
    return errorResponse(c, apiError('store_unavailable', { headers: { 'Retry-After': '1' } }))
  }
  log({ level: 'error', msg: 'unhandled error', path: c.req.path, error: error.stack ?? String(error) })
  return errorResponse(c, apiError('internal_error'))
}
