import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build, type Message, type Plugin } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { workspaceSourcesPlugin } from '../../../test/workspace-sources.js'

// The package's entries, split by runtime: `.` must bundle for a browser or a worker (no Node builtin, no
// native module anywhere in its import graph); `./node` is where those live, and a browser cannot import it.

const packageDir = fileURLToPath(new URL('../', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const entry = (file: string) => fileURLToPath(new URL(file, import.meta.url))

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

/** Whether the installed package builds or ships native code (node-gyp, prebuilt `.node` binaries). */
function isNative(name: string): boolean {
  for (const dir of [`${packageDir}node_modules/${name}`, `${repoRoot}node_modules/${name}`]) {
    if (!existsSync(`${dir}/package.json`)) continue
    const manifest = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { gypfile?: boolean }
    return manifest.gypfile === true || existsSync(`${dir}/binding.gyp`) || existsSync(`${dir}/prebuilds`)
  }
  return false
}

/**
 * Bundles an entry as a browser bundler would, and lists what would not run there: every import esbuild
 * could not resolve for the browser (a Node builtin, unless the package maps it away for browsers) and
 * every package with native code that the import graph reaches.
 */
async function browserOffenders(file: string): Promise<string[]> {
  const packages = new Set<string>()
  const record: Plugin = {
    name: 'record-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (!args.path.startsWith('node:')) packages.add(packageOf(args.path))
        return undefined
      })
    },
  }
  let errors: Message[] = []
  try {
    await build({
      entryPoints: [file],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: [record, workspaceSourcesPlugin()],
    })
  } catch (error) {
    errors = (error as { errors: Message[] }).errors
  }
  const unresolved = errors.map((e) => `${e.text} (${e.location?.file ?? '?'})`)
  const native = [...packages].filter(isNative).map((name) => `native package ${name}`)
  return [...unresolved, ...native]
}

describe('@leash/reference-server (src/index.ts)', () => {
  it('bundles for the browser: no Node builtin and no native package anywhere in its import graph', async () => {
    expect(await browserOffenders(entry('./index.ts'))).toEqual([])
  })
})

describe('@leash/reference-server/node (src/node/)', () => {
  it('is where the Node builtins are, and imports no driver: each is loaded when a store or bus first needs it', async () => {
    const offenders = await browserOffenders(entry('./node/index.ts'))
    expect(offenders).toEqual(
      expect.arrayContaining([expect.stringMatching(/"node:crypto"/), expect.stringMatching(/"node:fs"/)]),
    )
    // better-sqlite3, pg and ioredis are optional peers: not one is in the static import graph
    expect(offenders.filter((o) => /better-sqlite3|"pg"|ioredis/.test(o))).toEqual([])
  })

  it.each(['node', 'express', 'fastify'])(
    '@leash/reference-server/%s does not resolve for a browser bundler (exports map: null under "browser")',
    async (entryName) => {
      const bundle = build({
        stdin: { contents: `import '@leash/reference-server/${entryName}'`, resolveDir: packageDir },
        bundle: true,
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      })
      await expect(bundle).rejects.toThrow(new RegExp(`@leash/reference-server/${entryName}`))
    },
  )
})

describe('@leash/reference-server/express and /fastify (src/adapters/)', () => {
  it('are Node entries, and the portable one reaches neither framework', async () => {
    for (const file of ['./adapters/express.ts', './adapters/fastify.ts'])
      expect(await browserOffenders(entry(file))).not.toEqual([])
    const portable = await build({
      entryPoints: [entry('./index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      plugins: [workspaceSourcesPlugin()],
      logLevel: 'silent',
    })
    const inputs = Object.keys(portable.metafile.inputs)
    expect(inputs.filter((path) => /node_modules\/(express|fastify)\/|src\/adapters\//.test(path))).toEqual(
      [],
    )
  })
})
