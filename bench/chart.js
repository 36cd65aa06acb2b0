// The bench's chart: hand-written SVG, one panel of horizontal bars per section that reads faster as a
// picture (verify µs/op, HTTP req/s, bundle KB against the peers). No dependencies.

const WIDTH = 760
const LABEL_W = 170
const VALUE_W = 150
const BAR_H = 20
const GAP = 6
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'
const LEASH = '#2f6fde'
const OTHER = '#9aa5b1'

const xml = (text) =>
  String(text).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch])

function panel(title, subtitle, rows, top) {
  const valid = rows.filter((r) => typeof r.value === 'number')
  if (valid.length === 0) return { svg: '', height: 0 }
  const max = Math.max(...valid.map((r) => r.value))
  const span = WIDTH - LABEL_W - VALUE_W - 20
  const parts = [
    `<text x="10" y="${top + 18}" font-size="15" font-weight="600" ${FONT}>${xml(title)}</text>`,
    `<text x="10" y="${top + 36}" font-size="12" fill="#52606d" ${FONT}>${xml(subtitle)}</text>`,
  ]
  let y = top + 48
  for (const row of valid) {
    const w = Math.max(1, (row.value / max) * span)
    const fill = row.leash ? LEASH : OTHER
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + 15}" font-size="13" text-anchor="end" ${FONT}>${xml(row.label)}</text>`,
      `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" rx="3" fill="${fill}"/>`,
      `<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 15}" font-size="12" ${FONT}>${xml(row.text)}</text>`,
    )
    y += BAR_H + GAP
  }
  return { svg: parts.join('\n'), height: y - top + 14 }
}

/** The SVG document for a results object of the shape. */
export function renderChart(results) {
  const { verify, http, frameworks, bundle, machine } = results
  const panels = []
  if (verify) {
    const x = verify.ratio_to_floor ?? {}
    const ratio = (r) => (r == null ? '' : ` (${r.toFixed(2)}× floor)`)
    panels.push([
      'Per-request verify, µs/op (lower is better)',
      'Leash: whole check incl. user enabled + session live, warm cache; others: signature + claims only',
      [
        { label: 'raw HMAC floor', value: verify.floor_us, ratio: 1 },
        { label: 'Leash', value: verify.leash_us, ratio: x.leash, leash: true },
        { label: 'fast-jwt (no cache)', value: verify.fast_jwt_us, ratio: x.fast_jwt },
        { label: 'jsonwebtoken', value: verify.jsonwebtoken_us, ratio: x.jsonwebtoken },
        { label: 'jose jwtVerify', value: verify.jose_us, ratio: x.jose },
      ].map((r) => ({ ...r, text: r.value == null ? '' : `${r.value.toFixed(1)} µs${ratio(r.ratio)}` })),
    ])
  }
  if (http) {
    const ratio = (r) => (r == null ? '' : ` (${r.toFixed(2)}×)`)
    panels.push([
      'GET /auth/me over loopback, req/s (higher is better)',
      'autocannon, server and load generator on separate cores; ratio to the stateless baseline',
      [
        { label: 'Leash (revocable)', value: http.leash_rps, ratio: http.ratio_vs_stateless, leash: true },
        { label: 'stateless jsonwebtoken', value: http.stateless_rps, ratio: 1 },
        { label: 'lookup per request', value: http.lookup_rps, ratio: http.lookup_ratio_vs_stateless },
      ].map((r) => ({ ...r, text: r.value == null ? '' : `${Math.round(r.value)} req/s${ratio(r.ratio)}` })),
    ])
  }
  if (frameworks?.length) {
    const label = { express: 'Express', fastify: 'Fastify' }
    panels.push([
      'The middleware in its framework: server CPU µs per request (lower is better)',
      'GET /api/profile, same route and response; Leash revocable (warm cache) vs the stateless plugin',
      frameworks.flatMap((f) => [
        {
          label: `${label[f.name] ?? f.name} + Leash`,
          value: f.leash_cpu_us,
          leash: true,
          text: `${f.leash_cpu_us} µs (${f.cpu_ratio}×)`,
        },
        { label: f.peer, value: f.stateless_cpu_us, text: `${f.stateless_cpu_us} µs` },
      ]),
    ])
  }
  if (bundle && bundle.core_gzip != null) {
    const peers = Object.entries(bundle.peers_gzip ?? {}).map(([label, value]) => ({ label, value }))
    panels.push([
      'Bundle, min+gzip KB (lower is better)',
      'Leash without axios/react; peers as published',
      [
        { label: '@leash/sdk', value: bundle.core_gzip, leash: true },
        { label: '@leash/sdk/react', value: bundle.react_gzip, leash: true },
        ...peers,
      ].map((r) => ({ ...r, text: r.value == null ? '' : `${r.value.toFixed(1)} KB` })),
    ])
  }
  let top = 10
  const bodies = []
  for (const [title, subtitle, rows] of panels) {
    const { svg, height } = panel(title, subtitle, rows, top)
    bodies.push(svg)
    top += height
  }
  const footer = machine
    ? `${machine.cpu_model}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 10)}`
    : ''
  bodies.push(`<text x="10" y="${top + 8}" font-size="11" fill="#7b8794" ${FONT}>${xml(footer)}</text>`)
  const height = top + 20
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<title>Leash bench: verify µs/op, HTTP req/s and bundle size against stateless JWT libraries and peers</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...bodies,
    '</svg>',
    '',
  ].join('\n')
}
