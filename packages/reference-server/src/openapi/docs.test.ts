import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ErrorCode, errorTable } from '@leash/protocol'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { queries } from '../schemas/queries.js'
import { requests } from '../schemas/requests.js'
import { BEARER_CHECKS, BODY_CHECKS, type Operation, operations } from './operations.js'

// docs/protocol.md's endpoint table is generated from the operations the OpenAPI document is, and its
// environment table must name exactly the variables the server reads.

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const protocolDoc = resolve(root, 'docs/protocol.md')

/** `doc` with the block between `<!-- generated:name … -->` and `<!-- end:name -->` replaced by `content`. */
const splice = (doc: string, name: string, content: string) =>
  doc.replace(
    new RegExp(`(<!-- generated:${name}\\b[^>]*-->\\n)[\\s\\S]*?(<!-- end:${name} -->)`),
    (_, open: string, close: string) => `${open}${content}${close}`,
  )

const codes = (list: readonly ErrorCode[]) => list.map((c) => `\`${c}\``).join(', ')

function fields(name: keyof typeof requests) {
  const schema = requests[name] as z.ZodObject
  const keys = Object.entries(schema.shape).map(([key, s]) =>
    s.safeParse(undefined).success ? `${key}?` : key,
  )
  return ` \`{${keys.join(', ')}}\``
}

function auth(op: Operation) {
  if (op.auth.length === 0) return 'none'
  if (op.auth[0] !== 'bearer') return 'refresh token (body, else cookie)'
  if (op.auth.length > 1) return 'Bearer (expired accepted), or the refresh token'
  return op.errors.includes('forbidden') ? 'Bearer, role admin' : 'Bearer'
}

function failures(op: Operation) {
  const groups: string[] = []
  let rest = op.errors
  const checks: Array<[string, readonly ErrorCode[]]> = [
    ['the bearer checks', BEARER_CHECKS],
    ['the body checks', BODY_CHECKS],
  ]
  for (const [label, group] of checks) {
    if (group.every((c) => rest.includes(c))) {
      groups.push(label)
      rest = rest.filter((c) => !group.includes(c))
    }
  }
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of rest) {
    const { status } = errorTable[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  const sorted = [...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => `${status} ${codes(list)}`)
  return [...groups, ...sorted].join('; ')
}

function endpointTable() {
  const rows = operations.map((op) => {
    const query = op.query ? ` \`?${Object.keys(queries[op.query].shape).join('&')}\`` : ''
    const endpoint = `\`${op.method.toUpperCase()} ${op.path}\`${op.request ? fields(op.request.schema) : ''}${query}`
    const ok = Object.entries(op.ok)
      .map(
        ([status, body]) =>
          `${status} ${body === 'OpenApiDocument' ? 'the OpenAPI 3.1 document' : `\`${body}\``}`,
      )
      .join(', ')
    const cookie = op.cookie ? ` (${op.cookie} the refresh cookie)` : ''
    return `| ${endpoint} | ${auth(op)} | ${ok}${cookie} | ${failures(op)} |`
  })
  return [
    '| endpoint | auth | success | failures (status `code`) |',
    '|---|---|---|---|',
    ...rows,
    '',
    `The bearer checks: ${codes(BEARER_CHECKS)} (see "Checks" below). The body checks: ${codes(BODY_CHECKS)}.`,
    'Any endpoint may answer 500 `internal_error`, and any `POST`, `PATCH` or `DELETE` 413 `payload_too_large`.',
    "The bodies are `@leash/protocol`'s types of those names; `GET /openapi.json` has each in full.",
    '',
  ].join('\n')
}

/** The `LEASH_*` names in the first column of the table under `heading`. */
function documentedVariables(markdown: string, heading: string) {
  const section = markdown.split(`\n${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  const firstCells = section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split('|')[1]!)
  return new Set(firstCells.flatMap((cell) => cell.match(/LEASH_[A-Z_]+/g) ?? []))
}

/** Every `LEASH_*` variable the server's own (non-test) sources name. */
function variablesRead() {
  const src = resolve(root, 'packages/reference-server/src')
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('test'),
  )
  const text = files.map((f) => readFileSync(resolve(src, f), 'utf8')).join('\n')
  return new Set(text.match(/LEASH_[A-Z][A-Z_]*[A-Z]/g))
}

describe('docs/protocol.md', () => {
  // `vitest -u` rewrites the table; without it a stale table fails here.
  it('its endpoint table is the one the OpenAPI document is generated from', async () => {
    const doc = readFileSync(protocolDoc, 'utf8')
    expect(doc).toContain('<!-- generated:endpoints')
    await expect(splice(doc, 'endpoints', endpointTable())).toMatchFileSnapshot(protocolDoc)
  })

  it('it and the README document exactly the LEASH_* variables the server reads', () => {
    const read = [...variablesRead()].sort()
    expect(read.length).toBeGreaterThan(15)
    const readme = readFileSync(resolve(root, 'README.md'), 'utf8')
    expect([...documentedVariables(readme, '## Server configuration')].sort()).toEqual(read)
    const doc = readFileSync(protocolDoc, 'utf8')
    expect([...documentedVariables(doc, '## Server environment')].sort()).toEqual(read)
  })
})
