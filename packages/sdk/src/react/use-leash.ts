import { useSyncExternalStore } from 'react'
import type { LeashState } from '../state.js'
import { useLeashClient } from './provider.js'

/**
 * The session state, or the slice `selector` picks; re-renders only when that slice changes (by `Object.is`),
 * so return a primitive or a stored object, not a fresh one.
 * @example const status = useLeash((s) => s.status)
 */
export function useLeash(): LeashState
export function useLeash<T>(selector: (state: LeashState) => T): T
export function useLeash<T>(selector?: (state: LeashState) => T): T | LeashState {
  const { store } = useLeashClient()
  const read = () => (selector ? selector(store.getState()) : store.getState())
  return useSyncExternalStore(store.subscribe, read, read)
}
