import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig } from 'vitest/config'

// Vitest 4 reads no workspace file by itself: this is the root config (`vitest --config vitest.workspace.ts`)
// and defines one project per package. Workspace packages resolve to their sources, so tests never
// depend on a prior build.
const src = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@leash\/protocol$/, replacement: src('./packages/protocol/src/index.ts') },
      { find: /^@leash\/sdk\/react$/, replacement: src('./packages/sdk/src/react/index.ts') },
      { find: /^@leash\/sdk\/fallbacks$/, replacement: src('./packages/sdk/src/fallbacks.ts') },
      { find: /^@leash\/sdk$/, replacement: src('./packages/sdk/src/index.ts') },
      { find: /^@leash\/reference-server\/msw$/, replacement: src('./packages/reference-server/src/msw.ts') },
      {
        find: /^@leash\/reference-server\/(node|express|fastify)$/,
        replacement: src('./packages/reference-server/src/$1.ts'),
      },
      { find: /^@leash\/reference-server$/, replacement: src('./packages/reference-server/src/index.ts') },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'protocol',
          root: './packages/protocol',
          environment: 'node',
          include: ['src/**/*.test.ts'],
        },
      },
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
          exclude: [...configDefaults.exclude, 'src/**/*.browser.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // real Chromium (playwright-core, /usr/bin/chromium); skipped with a message when it is missing
          name: 'sdk-browser',
          root: './packages/sdk',
          environment: 'node',
          include: ['src/**/*.browser.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          // the runnable examples, each started as `npm start` starts it and driven over HTTP
          name: 'examples',
          root: './examples',
          environment: 'node',
          include: ['*/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'demo-app',
          root: './packages/demo-app',
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}'],
          exclude: ['src/e2e/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'demo-e2e',
          root: './packages/demo-app',
          environment: 'node',
          include: ['src/e2e/**/*.e2e.test.ts'],
          // each file starts a server, Vite and Chromium: one at a time keeps their timings honest
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
