import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The package's own import graph (its non-test sources, `import type` included): no module reaches itself
// through its imports, and the layers point one way (`middleware/` never imports from `routes/`).

const srcDir = dirname(fileURLToPath(import.meta.url))
const isTestSource = (path: string) => /\.test\.ts$/.test(path) || path.startsWith('test/')

/** Every `.ts` source under `src/` but tests and test helpers, relative to `src/`. */
function sources(dir = srcDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    const rel = relative(srcDir, path)
    return entry.name.endsWith('.ts') && !isTestSource(rel) ? [rel] : []
  })
}

// `import … from './x.js'`, `export … from '../y.js'`, `import('./z.js')`: the relative specifiers only.
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm

/** The sources a file imports, relative to `src/` (`./x.js` is `x.ts` on disk). */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) =>
    relative(srcDir, resolve(srcDir, dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))),
  )
}

/** The first cycle a depth-first walk meets, as the path that closes it (`a.ts → b.ts → a.ts`), or null. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const done = new Set<string>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const visit = (node: string): string[] | null => {
    if (onStack.has(node)) return [...stack.slice(stack.indexOf(node)), node]
    if (done.has(node)) return null
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle) return cycle
    }
    stack.pop()
    onStack.delete(node)
    done.add(node)
    return null
  }
  for (const node of graph.keys()) {
    const cycle = visit(node)
    if (cycle) return cycle
  }
  return null
}

const graph = new Map(
  sources().map((file) => [file, importsOf(file, readFileSync(join(srcDir, file), 'utf8'))] as const),
)

describe('the import graph of the package’s sources', () => {
  it('reads the imports it is meant to read', () => {
    expect(graph.size).toBeGreaterThan(50)
    expect(graph.get('app.ts')).toEqual(expect.arrayContaining(['verifier.ts', 'routes/auth.ts']))
    expect(
      importsOf(
        'middleware/x.ts',
        "import type { A } from '../a.js'\nexport { b } from './b.js'\nimport './c.js'\nconst d = import('../d/e.js')\nimport x from 'hono'",
      ),
    ).toEqual(['a.ts', 'middleware/b.ts', 'middleware/c.ts', 'd/e.ts'])
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['b']],
        ]),
      ),
    ).toEqual(['b', 'c', 'b'])
  })

  it('has no cycle', () => {
    expect(findCycle(graph)?.join(' → ')).toBeUndefined()
  })

  it('middleware/ imports nothing from routes/', () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      file.startsWith('middleware/')
        ? imports.filter((i) => i.startsWith('routes/')).map((i) => `${file} → ${i}`)
        : [],
    )
    expect(upward).toEqual([])
  })
})
