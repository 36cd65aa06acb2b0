export {
  type AuditEvent,
  type AuditEventType,
  auditEventTable,
  auditEventTypes,
  BEARER_CHECKS,
  BODY_CHECKS,
  DEFAULT_AUDIT_PAGE,
  MAX_AUDIT_PAGE,
  SESSION_CAP_ACTOR,
} from './audit.js'
export { type ErrorCode, type ErrorStatus, errorCodes, errorTable, MAX_BODY_BYTES } from './errors.js'
export { MAX_LISTED_SESSIONS, MAX_USER_AGENT_LENGTH } from './limits.js'
export type * from './wire.js'
