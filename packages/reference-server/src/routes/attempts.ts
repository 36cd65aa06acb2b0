import { addressBudget } from '../auth/ip.js'
import type { Deps } from '../context.js'
import { apiError } from '../errors.js'

/**
 * The attempt limits the /auth routes share. `reserve` counts the attempt before any work it guards
 * starts (a hash, a mail): concurrent attempts cannot all pass a check made while the first is at work.
 * `reserveForIp` is the one budget of every anonymous attempt from an address, whatever it names (an
 * IPv6 address counts by its /64); an unknown address has none to count against.
 */
export function attemptLimits({ limiter, config, now }: Pick<Deps, 'limiter' | 'config' | 'now'>) {
  const reserve = async (key: string, limit: number, windowMs?: number) => {
    const verdict = await limiter.attempt(key, limit, now(), windowMs)
    if (!verdict.ok)
      throw apiError('rate_limited', { headers: { 'Retry-After': String(verdict.retryAfter) } })
  }
  const reserveForIp = async (ip: string | undefined) => {
    if (ip !== undefined) await reserve(`ip|${addressBudget(ip)}`, config.ipRate)
  }
  return { reserve, reserveForIp }
}
