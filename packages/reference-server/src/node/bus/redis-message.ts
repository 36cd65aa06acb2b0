import type { Invalidation } from '../../bus/types.js'

const isToken = (t: unknown) => t === undefined || (typeof t === 'string' && t.length > 0 && t.length <= 64)
/** What the bus accepts off the wire: an invalidation of a known kind, hold and release tokens of sane size. */
export const isInvalidation = (m: unknown): m is Invalidation => {
  const v = m as { kind?: unknown; id?: unknown; hold?: unknown; release?: unknown } | null
  if (!v || typeof v !== 'object' || !isToken(v.hold) || !isToken(v.release)) return false
  if (v.kind === 'all' || v.kind === 'keys') return true
  return (v.kind === 'user' || v.kind === 'session') && typeof v.id === 'string' && v.id.length > 0
}

/** A message kept to be sent again, later: as a plain invalidation (a hold sent late would outlive its change). */
export const plain = (message: Invalidation): Invalidation =>
  message.kind === 'all' || message.kind === 'keys'
    ? { kind: message.kind }
    : { kind: message.kind, id: message.id }
