// `npm start --workspace examples/fastify-service`: the service until SIGINT or SIGTERM.
import { startupFailure } from '@leash/reference-server/node'
import { startService } from './server.js'

startService().then(
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
