import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Vitest 4 reads no workspace file by itself: this is the root config (`vitest --config vitest.workspace.ts`)
// and defines one project per package. Workspace packages resolve to their sources, so tests never
// depend on a prior build.
const src = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@leash\/sdk\/react$/, replacement: src('./packages/sdk/src/react/index.ts') },
      { find: /^@leash\/sdk$/, replacement: src('./packages/sdk/src/index.ts') },
      { find: /^@leash\/reference-server\/msw$/, replacement: src('./packages/reference-server/src/msw.ts') },
      { find: /^@leash\/reference-server$/, replacement: src('./packages/reference-server/src/index.ts') },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'reference-server',
          root: './packages/reference-server',
          environment: 'node',
          include: ['src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'sdk',
          root: './packages/sdk',
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}'],
        },
      },
    ],
  },
})
