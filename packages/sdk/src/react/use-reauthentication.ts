import { useEffect, useRef, useState } from 'react'
import { useLeashClient } from './provider.js'

/** What `useReauthentication` returns: whether a password is asked for, and the two ways out. */
export interface ReauthenticationView {
  /** True while requests refused `reauthentication_required` wait for the password: show the prompt. */
  required: boolean
  /**
   * Confirms the password (`leash.reauthenticate`), closes the prompt, and sends each waiting request again,
   * once; resolves with the answer to the first of them (as its call would have), rejects with its error.
   * A wrong password rejects (`invalid_credentials`, `rate_limited`) and leaves the prompt open.
   */
  confirm(password: string): Promise<unknown>
  /** Closes the prompt; the waiting requests are dropped (their callers already got the refusal). */
  cancel(): void
}

/**
 * The step-up prompt: opens when the server refuses a request `reauthentication_required` (an action that
 * needs a recent sign-in), and sends it again once the password is confirmed. Use it in one component (the
 * dialog): each use keeps its own waiting requests. A step-up counts in every tab.
 * @example const { required, confirm, cancel } = useReauthentication()
 */
export function useReauthentication(): ReauthenticationView {
  const client = useLeashClient()
  const waiting = useRef<Array<() => Promise<unknown>>>([])
  const [required, setRequired] = useState(false)
  useEffect(() => {
    const stop = client.on('reauthenticationRequired', ({ retry }) => {
      waiting.current.push(retry)
      setRequired(true)
    })
    return () => {
      stop()
      waiting.current = []
    }
  }, [client])
  const close = () => {
    const retries = waiting.current
    waiting.current = []
    setRequired(false)
    return retries
  }
  return {
    required,
    async confirm(password) {
      await client.reauthenticate(password)
      const [first, ...others] = close().map((retry) => retry())
      for (const other of others) other.catch(() => {}) // their callers had their answer: the refusal
      return first
    },
    cancel: () => void close(),
  }
}
