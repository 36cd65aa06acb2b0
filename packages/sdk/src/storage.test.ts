import { afterEach, expect, test, vi } from 'vitest'
import { clearStorage, memoryStorage, resolveStorage, storedValue } from './storage.js'

afterEach(() => {
  localStorage.clear()
  sessionStorage.clear()
})

test("resolves 'local', 'session', 'memory' and adapters; keys are prefixed leash:", () => {
  storedValue(resolveStorage('local'), 'session').set({ a: 1 })
  expect(localStorage.getItem('leash:session')).toBe('{"a":1}')
  storedValue(resolveStorage('session'), 'x').set(2)
  expect(sessionStorage.getItem('leash:x')).toBe('2')
  const memory = resolveStorage('memory')
  storedValue(memory, 'y').set(3)
  expect(localStorage.getItem('leash:y')).toBeNull()
  expect(storedValue(memory, 'y').get()).toBe(3)
  const custom = memoryStorage()
  expect(resolveStorage(custom)).toBe(custom)
})

test('corrupt JSON reads as null and a throwing storage never throws out', () => {
  localStorage.setItem('leash:session', '{oops')
  expect(storedValue(localStorage, 'session').get()).toBeNull()
  const broken = {
    getItem: vi.fn(),
    removeItem: vi.fn(),
    setItem: vi.fn(() => {
      throw new Error('quota')
    }),
  }
  expect(() => storedValue(broken, 'k').set(1)).not.toThrow()
})

test("clearStorage: 'all' empties both areas, 'leash' leaves everything to the disable's marker", () => {
  localStorage.setItem('app', '1')
  sessionStorage.setItem('app', '1')
  clearStorage(localStorage, 'leash')
  expect(localStorage.length + sessionStorage.length).toBe(2)
  clearStorage(localStorage, 'all')
  expect(localStorage.length + sessionStorage.length).toBe(0)
})
