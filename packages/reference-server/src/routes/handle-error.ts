import type { Context } from 'hono'
import { logStoreOutage } from '../error-response.js'
import { ApiError, apiError, ServerBusyError, StoreUnavailableError, UnstorableTextError } from '../errors.js'
import { causeText, type LogEntry } from '../log.js'
import { limitedFor } from '../log-limit.js'
import { sendError } from '../send-error.js'

/** The client disconnected mid-request: Node's `aborted` reset, or the request's signal aborted. */
const clientGone = (error: Error, c: Context) =>
  ((error as { code?: string }).code === 'ECONNRESET' && error.message === 'aborted') ||
  c.req.raw.signal?.aborted === true

/**
 * The error handler of the Leash routes: an `ApiError` as the protocol's error body, the store's and the
 * hashing gate's failures as coded 400 and 503s, anything else a 500. Every 500 and 503 is logged with a
 * level, so `LEASH_LOG=warn` still shows it.
 */
export const handleError = (log: (entry: LogEntry) => void) => (error: Error, c: Context) => {
  if (error instanceof ApiError) return sendError(c, error)
  if (error instanceof UnstorableTextError) {
    // A client string that slipped past the input checks: bad input all the same, never a 500.
    log({ level: 'warn', msg: 'store refused text', path: c.req.path, error: causeText(error) })
    return sendError(c, apiError('invalid_request'))
  }
  if (error instanceof ServerBusyError) {
    log({ level: 'warn', msg: 'server busy: password hashing at capacity', path: c.req.path })
    return sendError(c, apiError('server_busy', { headers: { 'Retry-After': String(error.retryAfter) } }))
  }
  if (error instanceof StoreUnavailableError) {
    logStoreOutage(log, c.req.path, error)
    return sendError(c, apiError('store_unavailable'))
  }
  if (clientGone(error, c)) {
    // Nobody is left to answer (reading the body failed because the client went away): not a server fault.
    limitedFor(log)('client closed', {
      msg: 'client closed the request before sending it whole',
      path: c.req.path,
    })
    return new Response(null, { status: 499 })
  }
  log({ level: 'error', msg: 'unhandled error', path: c.req.path, error: error.stack ?? String(error) })
  return sendError(c, apiError('internal_error'))
}
