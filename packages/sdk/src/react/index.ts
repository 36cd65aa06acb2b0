export { LeashProvider, useLeashClient } from './provider.js'
export { RequireSession } from './require-session.js'
export { useLeash } from './use-leash.js'
export { type SessionWarningView, useSessionWarning } from './use-session-warning.js'
