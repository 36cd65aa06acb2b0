import { useSyncExternalStore } from 'react'
import { type LeashState, pending } from '../state.js'
import { useLeashClient } from './provider.js'

/**
 * The session state, or the slice `selector` picks; re-renders only when that slice changes (by `Object.is`),
 * so return a primitive or a stored object, not a fresh one. A server render and hydration see the fixed
 * `pending` state (the session lives in the browser), so a server-rendered page hydrates without a mismatch.
 * @example const status = useLeash((s) => s.status)
 */
export function useLeash(): LeashState
export function useLeash<T>(selector: (state: LeashState) => T): T
export function useLeash<T>(selector?: (state: LeashState) => T): T | LeashState {
  const { store } = useLeashClient()
  const read = (s: LeashState) => (selector ? selector(s) : s)
  return useSyncExternalStore(
    store.subscribe,
    () => read(store.getState()),
    () => read(pending),
  )
}
