import type { Bus, Invalidation } from './types.js'

/** One process, one cache: invalidations are delivered synchronously to the listeners. */
export function createInProcessBus(): Bus {
  const listeners = new Set<(message: Invalidation) => unknown>()
  return {
    kind: 'in-process',
    async publish(message) {
      const acting: Promise<unknown>[] = []
      for (const listener of listeners) {
        const done = listener(message)
        if (done instanceof Promise) acting.push(done)
      }
      if (acting.length > 0) await Promise.allSettled(acting)
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
