import type { Bus, Invalidation } from './types.js'

/** One process, one cache: invalidations are delivered synchronously to the listeners. */
export function createInProcessBus(): Bus {
  const listeners = new Set<(message: Invalidation) => void>()
  return {
    kind: 'in-process',
    async publish(message) {
      for (const listener of listeners) listener(message)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    live: () => true,
    async close() {
      listeners.clear()
    },
  }
}
