/**
 * The value of one series in a Prometheus text exposition: `name` with exactly `labels` (in any order);
 * undefined when the series is not there.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const found: Record<string, string> = {}
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      found[pair[1]!] = pair[2]!
    const keys = Object.keys(labels)
    if (keys.length !== Object.keys(found).length) continue
    if (keys.every((k) => found[k] === labels[k])) return Number(match[3])
  }
  return undefined
}

/** Every series name of an exposition (the `# TYPE` lines'). */
export const metricNames = (text: string): string[] =>
  [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!)
