// `npm start --workspace examples/express-api`: the example until SIGINT or SIGTERM.
import { startupFailure } from '@leash/reference-server/node'
import { startApi } from './server.js'

startApi().then(
  (running) => {
    const stop = () => void running.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  },
  (error: unknown) => {
    process.stderr.write(`${startupFailure(error, process.env)}\n`)
    process.exit(1)
  },
)
