// Preloaded into each server of `npm run load` (node --expose-gc --require): every 5 s, a full GC and then
// one line on stderr with the heap that survived it, so that a leak shows as a trend, not as GC noise.
const timer = setInterval(() => {
  globalThis.gc?.()
  const { heapUsed, rss } = process.memoryUsage()
  process.stderr.write(`${JSON.stringify({ leash_load_heap: heapUsed, rss })}\n`)
}, 5_000)
timer.unref()
