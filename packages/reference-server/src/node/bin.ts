#!/usr/bin/env node
// The `leash-server` program: the server of `startServer`, configured by the LEASH_* environment, until
// SIGINT or SIGTERM; `leash-server keys …` manages the keyring kept in the database. The one module of
// the package that does something when imported.
import { runKeysCli } from './keys-cli.js'
import { startServer, startupFailure } from './main.js'

if (process.argv[2] === 'keys') {
  runKeysCli(process.argv.slice(3), process.env, (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${startupFailure(error, process.env)}\n`)
      process.exit(1)
    },
  )
} else {
  startServer().then(
    (running) => {
      const stop = () => {
        // The drain has its timeout; this one more allows for closing the store and Redis after it.
        setTimeout(() => {
          process.stderr.write('leash: shutdown did not finish in time\n')
          process.exit(1)
        }, running.shutdownTimeoutMs + 5_000).unref()
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
}
