/** What counts as the user being active. */
export type ActivityMode = 'requests' | 'input' | 'both'

/** The minimal event target Leash listens on (a `window`, or a stand-in in tests). */
export interface EventSource {
  addEventListener(type: string, listener: () => void, options?: AddEventListenerOptions): void
  removeEventListener(type: string, listener: () => void, options?: EventListenerOptions): void
}

const INPUT = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove', 'scroll']

/** Tracks the last moment the user was active: input events on `target`, requests through `mark()`. */
export function trackActivity(
  mode: ActivityMode,
  clock: () => number,
  target: EventSource | undefined,
  onActive: () => void,
) {
  let last = Number.NEGATIVE_INFINITY
  const mark = () => {
    last = clock()
    onActive()
  }
  const input = mode !== 'requests' && target ? INPUT : []
  for (const type of input) target!.addEventListener(type, mark, { passive: true, capture: true })
  return {
    /** Call for a request; ignored when only input counts. */
    request: () => mode !== 'input' && mark(),
    /** Whether the user was active at or after `time`. */
    since: (time: number) => last >= time,
    dispose: () => {
      for (const type of input) target!.removeEventListener(type, mark, { capture: true })
    },
  }
}
