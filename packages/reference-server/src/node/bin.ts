#!/usr/bin/env node
// The `leash-server` program: the server of `startServer`, configured by the LEASH_* environment, until
// SIGINT or SIGTERM. The one module of the package that does something when imported.
import { startServer, startupFailure } from './main.js'

startServer().then(
  (running) => {
    const stop = () => {
      setTimeout(() => process.exit(0), 5_000).unref()
      void running.close().then(() => process.exit(0))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  },
  (error: unknown) => {
    process.stderr.write(`${startupFailure(error, process.env)}\n`)
    process.exit(1)
  },
)
