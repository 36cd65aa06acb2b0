#!/usr/bin/env node
// The `leash-server` program: with no arguments, the server of `startServer`, configured by the LEASH_*
// environment, until SIGINT or SIGTERM; with a command (`backup`, `revoke-all`, `keys …`, `--help`), that
// command.
// The one module of the package that does something when imported.
import { runCommand } from './commands.js'
import { startServer, startupFailure } from './main.js'

const [command, ...args] = process.argv.slice(2)

if (command === undefined || command === 'serve') serve()
else
  void runCommand(command, args, process.env).then(({ code, stdout, stderr }) => {
    for (const line of stdout) process.stdout.write(`${line}\n`)
    for (const line of stderr) process.stderr.write(`${line}\n`)
    process.exitCode = code
  })

function serve() {
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
