import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'

// Where each workspace package's public entries are in its sources. Tests import the workspace packages
// from here, never from a `dist/` that only a build makes: Vitest through `vitest.workspace.ts`'s aliases,
// esbuild (bundles a test makes: the server program, browser harnesses, the bundle checks) through
// `workspaceSourcesPlugin`. A new entry in a package's exports map gets its line here.
const source = (path: string) => fileURLToPath(new URL(`../packages/${path}`, import.meta.url))

export const workspaceSources: { find: RegExp; replacement: string }[] = [
  { find: /^@leash\/protocol$/, replacement: source('protocol/src/index.ts') },
  { find: /^@leash\/sdk\/react$/, replacement: source('sdk/src/react/index.ts') },
  { find: /^@leash\/sdk\/fallbacks$/, replacement: source('sdk/src/fallbacks.ts') },
  { find: /^@leash\/sdk\/account$/, replacement: source('sdk/src/account.ts') },
  { find: /^@leash\/sdk$/, replacement: source('sdk/src/index.ts') },
  { find: /^@leash\/reference-server\/node$/, replacement: source('reference-server/src/node/index.ts') },
  { find: /^@leash\/reference-server\/msw$/, replacement: source('reference-server/src/msw.ts') },
  {
    find: /^@leash\/reference-server\/(express|fastify)$/,
    replacement: source('reference-server/src/adapters/$1.ts'),
  },
  { find: /^@leash\/reference-server$/, replacement: source('reference-server/src/index.ts') },
]

/** The source file of a workspace entry (`@leash/sdk/react` → `…/sdk/src/react/index.ts`), or undefined. */
export function workspaceSource(specifier: string): string | undefined {
  for (const { find, replacement } of workspaceSources) {
    const match = find.exec(specifier)
    if (match) return replacement.replace('$1', match[1] ?? '')
  }
  return undefined
}

/**
 * An esbuild plugin that bundles the workspace packages from their sources (so a test's bundle needs no
 * prior build), whatever else the build leaves external (`packages: 'external'` included). A specifier
 * that is a workspace package but not one of its entries fails the build, as it would for a user.
 */
export function workspaceSourcesPlugin(): Plugin {
  return {
    name: 'leash-workspace-sources',
    setup(build) {
      build.onResolve({ filter: /^@leash\// }, (args) => {
        const path = workspaceSource(args.path)
        return path ? { path } : { errors: [{ text: `not an entry of a workspace package: ${args.path}` }] }
      })
    },
  }
}
