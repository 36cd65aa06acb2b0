// The page the real-browser tests load: the SDK bundled by esbuild, exposed on `window` for page.evaluate.
import { createLeashClient, type LeashClient, type LeashOptions } from '../src/index.js'

declare global {
  interface Window {
    /** Added to Date.now() by the client's clock: lets a test play "the laptop slept". */
    skew: number
    leash?: LeashClient
    events: string[]
    start(options?: LeashOptions): LeashClient['store'] extends unknown ? void : never
  }
}

window.skew = 0
window.events = []
window.start = (options = {}) => {
  const leash = createLeashClient({ clock: () => Date.now() + window.skew, ...options })
  for (const e of ['login', 'refreshed', 'loggedOut', 'disabled', 'expired', 'warning'] as const) {
    leash.on(e, () => window.events.push(e))
  }
  window.leash = leash
}
