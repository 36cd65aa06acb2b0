// API reports: one `*.api.md` per public entry (each `exports` key with `types` in a published package's
// package.json), written by API Extractor from the built declarations, so a change to what users import
// shows up in the diff. Needs `npm run build` first.
//
//   node scripts/api-report.mjs           rewrite packages/<pkg>/api/*.api.md    (npm run api:update)
//   node scripts/api-report.mjs --check   fail if any report differs from the build (npm run api)
//
// API Extractor carries its own TypeScript (6.0 in 7.60, with a JS API); the repository's TypeScript 7 has none,
// so nothing here loads `typescript` from the root.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const check = process.argv.includes('--check')
const tempRoot = join(root, 'node_modules/.cache/api-extractor')
const updateHint = 'run `npm run build && npm run api:update` and commit the changed packages/*/api/*.api.md'

// The analysis compiler's options: those of tsconfig.base.json that bear on reading declarations.
// Given inline so that the bundled compiler never parses options only TypeScript 7 knows.
const compilerOptions = {
  target: 'ES2022',
  lib: ['ES2023', 'DOM', 'DOM.Iterable'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noUncheckedIndexedAccess: true,
  esModuleInterop: true,
  jsx: 'react-jsx',
  types: ['node'],
  skipLibCheck: true,
}

const messages = {
  // A compiler error means a type did not resolve, and the report would show it wrong.
  compilerMessageReporting: { default: { logLevel: 'error' } },
  extractorMessageReporting: {
    default: { logLevel: 'warning' },
    // No release tags (@public/@beta) in this repository: everything exported is public.
    'ae-missing-release-tag': { logLevel: 'none' },
    'ae-internal-missing-underscore': { logLevel: 'none' },
    'ae-incompatible-release-tags': { logLevel: 'none' },
    // Doc comments are not the surface (and are not in the report).
    'ae-undocumented': { logLevel: 'none' },
    'ae-unresolved-link': { logLevel: 'none' },
    // A public signature naming an unexported type: written into the report, where a reviewer sees it.
    'ae-forgotten-export': { logLevel: 'warning', addToApiReportFile: true },
  },
  // TSDoc syntax is not the surface either.
  tsdocMessageReporting: { default: { logLevel: 'none' } },
}

/** Published packages under packages/ (the demo app is private) and their typed entries. */
function packages() {
  const found = []
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const packageJsonPath = join(root, 'packages', dir, 'package.json')
    if (!existsSync(packageJsonPath)) continue
    const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8'))
    if (pkg.private) continue
    const unscoped = pkg.name.replace(/^@[^/]+\//, '')
    const entries = []
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const types = typeof target === 'object' && target !== null ? target.types : undefined
      if (typeof types !== 'string') continue
      const suffix = subpath === '.' ? '' : `-${subpath.replace(/^\.\//, '').replaceAll('/', '-')}`
      entries.push({
        importPath: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`,
        reportName: `${unscoped}${suffix}`,
        dts: join(root, 'packages', dir, types),
      })
    }
    if (entries.length > 0) {
      found.push({ dir: join(root, 'packages', dir), packageJsonPath, unscoped, entries })
    }
  }
  return found
}

function prepare(pkg, entry) {
  return ExtractorConfig.prepare({
    configObjectFullPath: join(pkg.dir, 'api-extractor.json'), // virtual: relative paths resolve from here
    packageJsonFullPath: pkg.packageJsonPath,
    configObject: {
      projectFolder: pkg.dir,
      mainEntryPointFilePath: entry.dts,
      compiler: { overrideTsconfig: { compilerOptions } },
      // API Extractor only writes the report here; this script compares it with the committed one, after
      // naming the entry (not just the package) in its title.
      apiReport: {
        enabled: true,
        reportFileName: entry.reportName,
        reportFolder: join(tempRoot, pkg.unscoped),
        reportTempFolder: join(tempRoot, pkg.unscoped),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages,
    },
  })
}

/** `diff -u` of the committed report against the generated one, for the log; nothing if diff is absent. */
function printDiff(committedPath, generatedPath) {
  const shown = relative(root, committedPath)
  const { stdout } = spawnSync(
    'diff',
    [
      '-u',
      '--label',
      `${shown} (committed)`,
      '--label',
      `${shown} (from the build)`,
      committedPath,
      generatedPath,
    ],
    { encoding: 'utf8' },
  )
  if (stdout) console.error(stdout.trimEnd())
}

const started = performance.now()
let failed = false

for (const pkg of packages()) {
  const missing = pkg.entries.filter((entry) => !existsSync(entry.dts))
  if (missing.length > 0) {
    for (const entry of missing)
      console.error(`${relative(root, entry.dts)} is missing: run \`npm run build\` first`)
    process.exit(1)
  }
  const reportFolder = join(pkg.dir, 'api')
  mkdirSync(reportFolder, { recursive: true })

  // One program per package serves all of its entries.
  const configs = pkg.entries.map((entry) => ({ entry, config: prepare(pkg, entry) }))
  const compilerState = CompilerState.create(configs[0].config, {
    additionalEntryPoints: pkg.entries.map((entry) => entry.dts),
  })

  for (const { entry, config } of configs) {
    const result = Extractor.invoke(config, {
      localBuild: true,
      compilerState,
      messageCallback(message) {
        // The root's TypeScript 7 is newer than the bundled compiler, on purpose (see the top of this file).
        if (
          message.messageId === 'console-preamble' ||
          message.messageId === 'console-compiler-version-notice'
        ) {
          message.logLevel = ExtractorLogLevel.None
          message.handled = true
        }
      },
    })
    if (result.errorCount + result.warningCount > 0) {
      console.error(
        `${entry.importPath}: ${result.errorCount} error(s), ${result.warningCount} warning(s) above`,
      )
      failed = true
    }

    const generatedPath = join(tempRoot, pkg.unscoped, `${entry.reportName}.api.md`)
    const generated = readFileSync(generatedPath, 'utf8')
      // Name the entry, not just the package.
      .replace(/^## API Report File for "[^"]*"/, `## API Report File for "${entry.importPath}"`)
      // The closing list of warnings names source lines; without them an edit elsewhere in the file does
      // not look like a change of surface.
      .replace(/^(\/\/ \S+\.tsx?):\d+:\d+ - \(/gm, '$1 - (')
    writeFileSync(generatedPath, generated)
    const committedPath = join(reportFolder, `${entry.reportName}.api.md`)
    const shown = relative(root, committedPath)
    const committed = existsSync(committedPath)
      ? readFileSync(committedPath, 'utf8').replaceAll('\r\n', '\n')
      : null
    if (committed === generated) {
      if (check) console.log(`${entry.importPath}: ${shown} is up to date`)
    } else if (check) {
      if (committed === null) console.error(`${entry.importPath}: ${shown} is missing: ${updateHint}`)
      else {
        printDiff(committedPath, generatedPath)
        console.error(`${entry.importPath}: the public surface changed and ${shown} is stale: ${updateHint}`)
      }
      failed = true
    } else {
      writeFileSync(committedPath, generated)
      console.log(`${entry.importPath}: ${committed === null ? 'wrote' : 'updated'} ${shown}`)
    }
  }

  // A report whose entry left the exports map.
  const expected = new Set(pkg.entries.map((entry) => `${entry.reportName}.api.md`))
  for (const file of readdirSync(reportFolder)) {
    if (!file.endsWith('.api.md') || expected.has(file)) continue
    const shown = relative(root, join(reportFolder, file))
    if (check) {
      console.error(`${shown} reports an entry that is no longer exported: ${updateHint}`)
      failed = true
    } else {
      rmSync(join(reportFolder, file))
      console.log(`removed ${shown} (its entry is no longer exported)`)
    }
  }
}

console.log(
  `API reports ${check ? 'checked' : 'written'} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
)
if (failed) process.exit(1)
