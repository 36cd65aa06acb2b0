// Bundle: min+gzip of `@leash/sdk` and `@leash/sdk/react` as an app's bundler would ship them (esbuild,
// minified, browser ESM, production), with the peers the app already has (axios, react) left out.
// Deterministic: same sources, same bytes. `--check` enforces BUDGET instead (exit 1 when over), for CI.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { emit, round } from './lib.js'

const SDK_SRC = fileURLToPath(new URL('../packages/sdk/src/', import.meta.url))
const EXTERNAL = ['axios', 'react', 'react-dom', 'react/jsx-runtime']

/** Published min+gzip figures of the peers (KB), as listed in issue 6. */
export const PEERS = {
  'keycloak-js': 8.2,
  'supertokens-website': 22.2,
  '@supabase/auth-js': 23.1,
  'oidc-client-ts': 17.6,
  'react-idle-timer': 6.2,
}

/**
 * The budget (KiB, min+gzip) `node bench/bundle.js --check` enforces, for CI: the core stays under the
 * smallest peer (keycloak-js), the React layer under a couple of KB.
 */
export const BUDGET = { core_gzip: 8, react_gzip: 2 }

async function measure(entry) {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    external: EXTERNAL,
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  })
  const code = out.outputFiles[0].contents
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length }
}

async function main() {
  const coreEntry = `${SDK_SRC}index.ts`
  const reactEntry = `${SDK_SRC}react/index.ts`
  if (!existsSync(coreEntry) || !existsSync(reactEntry)) {
    emit({ core_gzip: null, react_gzip: null, note: 'packages/sdk/src/index.ts or react/index.ts missing' })
    return
  }
  const core = await measure(coreEntry)
  const react = await measure(reactEntry)
  const kb = (bytes) => round(bytes / 1024, 1)
  if (process.argv.includes('--check')) {
    const over = Object.entries(BUDGET).filter(
      ([k, max]) => (k === 'core_gzip' ? core : react).gzip / 1024 > max,
    )
    for (const [k, max] of Object.entries(BUDGET)) {
      const bytes = (k === 'core_gzip' ? core : react).gzip
      process.stdout.write(`${k}: ${kb(bytes)} KiB (${bytes} B), budget ${max} KiB\n`)
    }
    if (over.length > 0) {
      process.stderr.write(`bundle over budget: ${over.map(([k]) => k).join(', ')}\n`)
      process.exit(1)
    }
    return
  }
  emit({
    core_gzip: kb(core.gzip),
    react_gzip: kb(react.gzip),
    unit: 'KiB (1024 bytes), min+gzip level 9',
    core_gzip_bytes: core.gzip,
    react_gzip_bytes: react.gzip,
    core_min_bytes: core.min,
    react_min_bytes: react.min,
    externals: EXTERNAL,
    react_note: 'the React entry alone; it imports only types from the core, so an app pays core + react',
    peers_gzip: PEERS,
    budget_kib: BUDGET,
  })
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
