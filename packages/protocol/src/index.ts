export { type ErrorCode, type ErrorStatus, errorCodes, errorTable, MAX_BODY_BYTES } from './errors.js'
export type * from './wire.js'
