// @vitest-environment node
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// options.ts's TSDoc is the one description of the client's options; every options table in the docs is
// generated from it. A stale table fails here, naming the options whose rows differ; `npm run docs:options
// -w @leash/sdk` (vitest -u) rewrites them. The same pattern as the protocol's error table (docs.test.ts there).
const root = fileURLToPath(new URL('../../../', import.meta.url))
const docs = ['README.md', 'packages/sdk/README.md', 'docs/sdk.md']

interface Option {
  name: string
  meaning: string
  defaultValue: string | undefined
}

/**
 * The options of `LeashOptions`, in order, read from the TSDoc above each (no TypeScript API: a doc
 * comment followed by `name?:`). The meaning is the text before the first tag; the default, `@defaultValue`.
 */
function readOptions(source: string): Option[] {
  const start = source.indexOf('export interface LeashOptions {')
  const body = source.slice(start, source.indexOf('\n}', start))
  return [...body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+)\?:/g)].map(([, doc, name]) => {
    const text = doc!
      .split('\n')
      .map((line) => line.replace(/^\s*\*\s?/, ''))
      .join('\n')
      .trim()
    const [meaning, ...tags] = text.split(/\n(?=@\w)/)
    const defaultValue = tags.find((t) => t.startsWith('@defaultValue'))?.slice('@defaultValue'.length)
    const line = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim()
    return { name: name!, meaning: line(meaning!), defaultValue: defaultValue && line(defaultValue) }
  })
}

const cell = (s: string) => s.replaceAll('|', '\\|')
const row = (o: Option) => `| \`${o.name}\` | ${cell(o.defaultValue ?? '')} | ${cell(o.meaning)} |`

/** The options table, one row per option, as the docs show it. */
const optionsTable = (options: Option[]) =>
  ['| option | default | meaning |', '|---|---|---|', ...options.map(row), ''].join('\n')

/** `doc` with the block between `<!-- generated:options … -->` and `<!-- end:options -->` replaced. */
const splice = (doc: string, content: string) =>
  doc.replace(
    /(<!-- generated:options\b[^>]*-->\n)[\s\S]*?(<!-- end:options -->)/,
    (_, open: string, close: string) => `${open}${content}${close}`,
  )

const options = readOptions(readFileSync(fileURLToPath(new URL('options.ts', import.meta.url)), 'utf8'))

describe('options.ts', () => {
  it('has every option of createLeashClient, each with a meaning and a @defaultValue', () => {
    expect(options.length).toBeGreaterThan(15)
    for (const o of options) {
      expect(o.meaning, `${o.name}: no description`).not.toBe('')
      expect(o.defaultValue, `${o.name}: no @defaultValue`).toBeTruthy()
    }
  })
})

describe.each(docs)('%s', (file) => {
  it('its options table is generated from options.ts', async () => {
    const path = resolve(root, file)
    const doc = readFileSync(path, 'utf8')
    expect(doc, `${file}: no <!-- generated:options --> block`).toMatch(
      /<!-- generated:options\b[\s\S]*<!-- end:options -->/,
    )
    const shown = doc
      .slice(doc.indexOf('<!-- generated:options'), doc.indexOf('<!-- end:options -->'))
      .split('\n')
    const stale = [
      ...options.filter((o) => !shown.includes(row(o))).map((o) => o.name),
      ...shown
        .filter((l) => /^\| `\w+` \|/.test(l) && !options.some((o) => o.name === l.split('`')[1]))
        .map((l) => `${l.split('`')[1]} (not an option)`),
    ]
    const why = `${file}: rows missing or different for ${[...new Set(stale)].join(', ') || 'none (order or header)'}; run npm run docs:options -w @leash/sdk`
    await expect(splice(doc, optionsTable(options)), why).toMatchFileSnapshot(path)
  })
})
