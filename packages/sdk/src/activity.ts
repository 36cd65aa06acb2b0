/** What counts as the user being active. */
export type ActivityMode = 'requests' | 'input' | 'both'

/** The minimal event target Leash listens on (a `window`, or a stand-in in tests). */
export interface EventSource {
  addEventListener(type: string, listener: () => void, options?: AddEventListenerOptions): void
  removeEventListener(type: string, listener: () => void, options?: EventListenerOptions): void
}

const INPUT = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove', 'scroll']

/**
 * Records the last moment the user was active: input events on `target`, and requests through
 * `request()`. It decides nothing; `onInput` lets the session act on input that no request carries.
 */
export function trackActivity(
  mode: ActivityMode,
  clock: () => number,
  target: EventSource | undefined,
  onInput: () => void,
) {
  let last = -Infinity
  const mark = () => {
    last = clock()
    onInput()
  }
  const input = mode !== 'requests' && target ? INPUT : []
  for (const type of input) target!.addEventListener(type, mark, { passive: true, capture: true })
  return {
    /** Records a request; ignored when only input counts. */
    request: () => {
      if (mode !== 'input') last = clock()
    },
    /** The last moment the user was active (-Infinity: never). */
    last: () => last,
    dispose: () => {
      for (const type of input) target!.removeEventListener(type, mark, { capture: true })
    },
  }
}
