import type { Bus } from '../bus/types.js'
import type { Store } from '../store/types.js'

// A test's fault, never a setting: an instance that dies between the commit of a revocation and whatever
// follows it. Wrapped around the store and bus a test hands to createApp (in process, or in the child
// program test/crash-instance.ts); no production code path can reach it.

/** The store methods whose commit can revoke something. */
export const REVOKING = [
  'endSession',
  'endUserSession',
  'spendRefreshToken',
  'updateUser',
  'rotateGlobalEpoch',
  'createSession',
] as const

/**
 * Armed, the next revoking commit kills the bus: every later publish hangs forever, so nothing after the
 * commit happens (the request never answers). `onCommit` is told at that moment.
 */
export function crashAfterCommit(store: Store, bus: Bus, onCommit: () => void = () => {}) {
  let armed = false
  let dead = false
  let committed: () => void = () => {}
  const wrapped: Store = { ...store }
  for (const name of REVOKING) {
    const inner = store[name] as (...args: unknown[]) => Promise<unknown>
    ;(wrapped as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const result = await inner(...args)
      if (armed) {
        dead = true
        onCommit()
        committed()
      }
      return result
    }
  }
  const dying: Bus = {
    kind: bus.kind,
    publish: (message) => (dead ? new Promise<void>(() => {}) : bus.publish(message)),
    subscribe: (listener) => bus.subscribe(listener),
    live: () => bus.live(),
    close: () => bus.close(),
  }
  return {
    store: wrapped,
    bus: dying,
    /** Arms the fault; resolves when the instance has committed (and died). */
    arm(): Promise<void> {
      armed = true
      return new Promise<void>((done) => {
        committed = done
      })
    },
    revive() {
      armed = false
      dead = false
    },
  }
}
