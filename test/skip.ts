/**
 * Whether a suite that needs a service (Chromium, PostgreSQL, Redis) must skip. On a laptop a missing
 * service skips the suite and says why; in CI (`CI` set, as `.ci/run` does) it throws, so the suite fails
 * to load and the run fails instead of passing without it.
 * @returns the reason to skip, or false when the service is there
 */
export function skipUnless(available: boolean, suite: string, needs: string): string | false {
  if (available) return false
  const reason = `${suite}: needs ${needs}`
  const ci = process.env.CI
  if (ci && ci !== 'false' && ci !== '0')
    throw new Error(`CI: ${reason}; a missing service fails the run here`)
  console.warn(`skipped: ${reason}`)
  return reason
}
