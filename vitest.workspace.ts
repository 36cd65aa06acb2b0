import { configDefaults, defineConfig } from 'vitest/config'
import { workspaceSources } from './test/workspace-sources.js'

// Vitest 4 reads no workspace file by itself: this is the root config (`vitest --config vitest.workspace.ts`)
// and defines one project per package. Workspace packages resolve to their sources (test/workspace-sources.ts),
// so tests never depend on a prior build.
export default defineConfig({
  resolve: {
    alias: workspaceSources,
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
