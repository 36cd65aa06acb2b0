import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url))
// The reference server the dev server proxies to, so the app and /auth, /api, /admin share one origin
// (the refresh cookie is SameSite=Strict, Path=/auth).
const server = process.env.LEASH_SERVER_URL ?? 'http://127.0.0.1:8787'
const proxy = Object.fromEntries(
  ['/auth', '/api', '/admin', '/healthz'].map((path) => [path, { target: server }]),
)

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@leash\/sdk\/react$/, replacement: src('../sdk/src/react/index.ts') },
      { find: /^@leash\/sdk\/account$/, replacement: src('../sdk/src/account.ts') },
      { find: /^@leash\/sdk$/, replacement: src('../sdk/src/index.ts') },
    ],
  },
  server: { host: '127.0.0.1', port: Number(process.env.LEASH_DEMO_PORT ?? 5173), strictPort: true, proxy },
  preview: { host: '127.0.0.1', port: Number(process.env.LEASH_DEMO_PORT ?? 4173), strictPort: true, proxy },
})
