import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { auditEventTable } from './audit.js'
import { errorTable } from './errors.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const protocolDoc = resolve(root, 'docs/protocol.md')

/** `doc` with the block between `<!-- generated:name … -->` and `<!-- end:name -->` replaced by `content`. */
const splice = (doc: string, name: string, content: string) =>
  doc.replace(
    new RegExp(`(<!-- generated:${name}\\b[^>]*-->\\n)[\\s\\S]*?(<!-- end:${name} -->)`),
    (_, open: string, close: string) => `${open}${content}${close}`,
  )

describe('docs/protocol.md', () => {
  // `vitest -u` rewrites the table; without it a stale table fails here.
  it('its error-code table is the protocol package’s', async () => {
    const rows = Object.entries(errorTable).map(([code, { status, message }]) => {
      return `| \`${code}\` | ${status} | ${message} |`
    })
    const table = ['| code | status | message |', '|---|---:|---|', ...rows, ''].join('\n')
    const doc = readFileSync(protocolDoc, 'utf8')
    expect(doc).toContain('<!-- generated:errors')
    await expect(splice(doc, 'errors', table)).toMatchFileSnapshot(protocolDoc)
  })

  it('its audit-event table is the protocol package’s', async () => {
    const list = (items: readonly string[]) => items.map((i) => `\`${i}\``).join(', ')
    const rows = Object.entries(auditEventTable).map(([type, e]) => {
      return `| \`${type}\` | ${e.version} | ${list(e.fields)} | ${list(e.codes)} | ${e.meaning} |`
    })
    const head = ['| type | version | fields | codes | meaning |', '|---|---:|---|---|---|']
    const table = [...head, ...rows, ''].join('\n')
    const doc = readFileSync(protocolDoc, 'utf8')
    expect(doc).toContain('<!-- generated:audit-events')
    await expect(splice(doc, 'audit-events', table)).toMatchFileSnapshot(protocolDoc)
  })
})

describe('links in the READMEs and docs', () => {
  const files = [
    'README.md',
    ...readdirSync(resolve(root, 'packages')).map((p) => `packages/${p}/README.md`),
    ...readdirSync(resolve(root, 'docs')).map((f) => `docs/${f}`),
  ].filter((f) => f.endsWith('.md') && existsSync(resolve(root, f)))

  it.each(files)('%s: every relative link stays inside the repository and finds its file', (file) => {
    const text = readFileSync(resolve(root, file), 'utf8')
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue // a URL, or this page
      const path = resolve(root, dirname(file), decodeURI(target.split('#')[0]!))
      const inside = relative(root, path)
      expect(inside.startsWith('..') || inside === '', `${file}: ${target} points outside`).toBe(false)
      expect(existsSync(path), `${file}: ${target} does not exist`).toBe(true)
    }
  })
})
