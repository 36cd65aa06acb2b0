import { createMemoryStore } from '../store/memory.js'
import type { Store } from '../store/types.js'

/** A memory store that counts the user lookups made through it (`reads.users`). */
export function countingStore() {
  const reads = { users: 0 }
  const store = new Proxy(createMemoryStore(), {
    get(target, name, receiver) {
      if (name === 'findUserById')
        return (id: string) => {
          reads.users += 1
          return target.findUserById(id)
        }
      const value = Reflect.get(target, name, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as Store
  return { store, reads }
}
