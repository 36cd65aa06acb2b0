import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { sample } from '../test/exposition.js'
import { leanHistogram } from './lean-histogram.js'

describe('leanHistogram', () => {
  it('exports cumulative buckets (a value on a bound counts in it), +Inf, sum and count, per series', async () => {
    const registry = new Registry()
    const h = leanHistogram(registry, { name: 'leash_t_seconds', help: 'test', buckets: [0.1, 1] })
    const a = h.series({ route: '/a' })
    const b = h.series({ route: '/b"\\' })
    for (const v of [0.1, 0.5, 3]) a.observe(v)
    b.observe(0.05)
    const text = await registry.metrics()
    expect(text).toContain('# TYPE leash_t_seconds histogram')
    const at = (le: string) => sample(text, 'leash_t_seconds_bucket', { route: '/a', le })
    expect([at('0.1'), at('1'), at('+Inf')]).toEqual([1, 2, 3])
    expect(sample(text, 'leash_t_seconds_sum', { route: '/a' })).toBeCloseTo(3.6)
    expect(sample(text, 'leash_t_seconds_count', { route: '/a' })).toBe(3)
    // Label values are escaped as prom-client escapes them.
    expect(text).toContain('leash_t_seconds_count{route="/b\\"\\\\"} 1')
    const json = await registry.getMetricsAsJSON()
    expect(json[0]?.values).toContainEqual({
      labels: { route: '/a', le: 1 },
      value: 2,
      metricName: 'leash_t_seconds_bucket',
    })
  })
})
