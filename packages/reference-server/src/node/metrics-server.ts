import { createServer, type Server } from 'node:http'
import type { LogEntry } from '../log.js'
import type { PromMetrics } from './metrics.js'

/** The metrics listener: where it listens, and how to stop it. */
export interface MetricsServer {
  /** `http://host:port` (the exposition is at `/metrics`). */
  readonly url: string
  close(): Promise<void>
}

/**
 * Serves `GET /metrics` (Prometheus text) on a socket of its own, apart from the public port: a scraper is
 * let in there (LEASH_METRICS_HOST, LEASH_METRICS_PORT) without the sign-in and refusal rates reaching the
 * internet. Anything else there answers 404.
 * @example const served = await serveMetrics(prom, { port: 9464, hostname: '127.0.0.1' })
 */
export async function serveMetrics(
  prom: Pick<PromMetrics, 'contentType' | 'text'>,
  listen: { port: number; hostname: string },
  log: (entry: LogEntry) => void = () => {},
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    prom.text().then(
      (text) =>
        res.writeHead(200, { 'content-type': prom.contentType }).end(req.method === 'HEAD' ? '' : text),
      (error: unknown) => {
        log({ level: 'error', msg: 'metrics scrape failed', error: String(error) })
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n')
      },
    )
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((ready, fail) => {
    server.once('error', fail)
    server.listen(listen.port, listen.hostname, () => {
      server.off('error', fail)
      ready()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : listen.port
  const url = `http://${listen.hostname.includes(':') ? `[${listen.hostname}]` : listen.hostname}:${port}`
  log({ msg: 'metrics listening', url: `${url}/metrics` })
  return { url, close: () => closeServer(server) }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done())
    server.closeAllConnections()
  })
}
