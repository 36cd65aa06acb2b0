import type { Invalidation } from '../bus/types.js'

/**
 * How long a hold lasts when its release never comes (the revoking instance died, or lost Redis): longer
 * than a change can take between its announcement and its commit (every store statement is bounded, at
 * 5 s by default), so that a change that committed late is still read from the store. The outbox covers a
 * commit later still (auth/outbox-relay.ts).
 */
export const HOLD_MS = 60_000

/** Past this many targets held at once, expired holds are swept at the next hold. */
const SWEEP_AT = 10_000

const targetOf = (m: Invalidation) => (m.kind === 'all' || m.kind === 'keys' ? m.kind : `${m.kind}:${m.id}`)

/**
 * The targets announced as about to be revoked (`Invalidation.hold`), each until its release or `holdMs`:
 * while a target is held, its entries are read from the store and never cached, so a change that commits
 * under the hold is seen at the next request even if the instance that made it dies before it can say so.
 * `all` holds every user, session and the epoch. Costs nothing on a cache hit: only a fill asks.
 */
export function createHolds(now: () => number, holdMs = HOLD_MS) {
  /** target → hold token → until (epoch ms) */
  const held = new Map<string, Map<string, number>>()

  const active = (target: string) => {
    const tokens = held.get(target)
    if (tokens === undefined) return false
    const at = now()
    for (const [token, until] of tokens) if (until <= at) tokens.delete(token)
    if (tokens.size === 0) held.delete(target)
    return tokens.size > 0
  }
  const sweep = () => {
    for (const target of [...held.keys()]) active(target)
  }

  return {
    /** Opens or lifts a hold, as the message says; a plain invalidation changes no hold. */
    apply(message: Invalidation): void {
      const target = targetOf(message)
      if (message.hold !== undefined) {
        if (held.size >= SWEEP_AT) sweep()
        const tokens = held.get(target) ?? new Map<string, number>()
        tokens.set(message.hold, now() + holdMs)
        held.set(target, tokens)
      }
      if (message.release !== undefined) {
        const tokens = held.get(target)
        tokens?.delete(message.release)
        if (tokens?.size === 0) held.delete(target)
      }
    },
    /** Whether `kind`'s entry `id` must not be cached now (the epoch is held by `all` only). */
    blocks(kind: 'user' | 'session' | 'epoch', id: string): boolean {
      if (held.size === 0) return false
      return active('all') || (kind !== 'epoch' && active(`${kind}:${id}`))
    },
    /** How many targets are held (expired ones included until they are next looked at). */
    get size() {
      return held.size
    },
  }
}

export type Holds = ReturnType<typeof createHolds>
