import { bodyLimit } from 'hono/body-limit'
import { apiError } from '../errors.js'
import { sendError } from '../send-error.js'
import { MAX_BODY_BYTES } from './json-body.js'

/** 413 `payload_too_large` past 16 KiB. Only for methods with a body: asking for one on a GET costs. */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => sendError(c, apiError('payload_too_large')),
})

/** The methods whose bodies `limitBody` guards. */
export const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']
