/** Longest delay `setTimeout` honours; anything above fires at once in browsers and Node. */
export const MAX_DELAY = 2 ** 31 - 1

/** A timer for a wall-clock deadline. */
export interface Deadline {
  /** Arms (or re-arms) for `at`, a time on `clock`; `null` disarms. */
  set(at: number | null): void
  /** Fires now if the deadline has passed: call after sleep or when a hidden tab becomes visible. */
  check(): void
}

/**
 * A deadline checked against the clock, not trusted to `setTimeout`: timers in background tabs are
 * throttled and stop during sleep, so each wake-up compares `clock()` with the deadline and re-arms.
 */
export function deadline(clock: () => number, fire: () => void): Deadline {
  let at: number | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  const check = () => {
    clearTimeout(timer)
    if (at == null) return
    const left = at - clock()
    if (left > 0) timer = setTimeout(check, Math.min(left, MAX_DELAY))
    else {
      at = null
      fire()
    }
  }
  return {
    set(next) {
      at = next
      clearTimeout(timer)
      // checked on the next tick, which arms the timer: a due deadline never fires inside the caller's update
      if (next != null) timer = setTimeout(check, 0)
    },
    check,
  }
}

/** Resolves after `ms`; rejects with the abort reason if `signal` aborts first. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(t)
      reject(signal!.reason)
    }
    // no cap: every caller waits seconds at most (the settle wait, a refresh retry's backoff, a lease poll)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', abort)
      resolve()
    }, ms)
    if (signal?.aborted) abort()
    else signal?.addEventListener('abort', abort)
  })

/** `work`, or the abort reason as soon as `signal` aborts (callers stop waiting; the work runs out unseen). */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason)
    signal.addEventListener('abort', abort)
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}
