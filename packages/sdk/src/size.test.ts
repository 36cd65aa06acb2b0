// @vitest-environment node
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { expect, test } from 'vitest'

// Budgets from issue 3, min+gzip, peers (axios, react) excluded; zustand included (the core decodes no JWT).
const budgets = { 'index.ts': 6 * 1024, 'react/index.ts': 1.5 * 1024 }

async function gzipped(entry: string): Promise<number> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external: ['axios', 'react', 'react-dom', 'react/jsx-runtime'],
  })
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length
}

test.each(Object.entries(budgets))('%s fits its budget (min+gzip)', async (entry, budget) => {
  const size = await gzipped(entry)
  console.info(`@leash/sdk ${entry}: ${size} B min+gzip (budget ${budget} B)`)
  expect(size).toBeGreaterThan(200) // it did bundle something
  expect(size).toBeLessThanOrEqual(budget)
})
