// The sessions of the load generator (scripts/load.mjs), as a module the tests reuse
// (src/node/cluster.key-rotation.test.ts): each session signs in, calls /api/notes through a "load
// balancer" without affinity (each request to any instance) and refreshes its short-lived access token as
// the SDK does: REFRESH_BEFORE seconds before expiry, and once (then the request again) on a 401
// token_expired. Any other answer of 300 or more is an error; a refused refresh ends the session (a forced
// sign-in, which the SDK would show as the sign-in form).
import http from 'node:http'

/**
 * @param {{ ports: () => number[], username: (i: number) => string, password: (i: number) => string,
 *   refreshBefore: number, thinkMs: number, agent?: http.Agent,
 *   onAnswer?: (answer: { method: string, path: string, status: number | 'network', ms: number }) => void }} options
 */
export function createLoad(options) {
  const agent = options.agent ?? new http.Agent({ keepAlive: true, maxSockets: 128 })
  const counts = {
    requests: 0,
    notes: 0,
    refreshes: 0,
    logins: 0,
    expiredThenRefreshed: 0,
    staleSocketRetries: 0,
    errors: 0,
    /** Sessions whose refresh was refused, or whose sign-in failed: the user would have to sign in again. */
    signedOut: 0,
    byStatus: {},
  }
  /**
   * Refreshes per session (by index), each with its reason: `due` (scheduled), `expired` (a 401
   * token_expired: the token expired in flight) or `retired` (a 401 token_expired whose challenge says the
   * signing key was retired).
   */
  const refreshesOf = new Map()
  let running = true
  let stop
  const stopped = new Promise((done) => {
    stop = done
  })
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms))
  const pause = (ms) => Promise.race([sleep(ms), stopped])

  function request(method, path, { token, body } = {}, retried = false) {
    const ports = options.ports()
    const port = ports[Math.floor(Math.random() * ports.length)]
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const headers = {}
    if (token) headers.authorization = `Bearer ${token}`
    if (payload) headers['content-type'] = 'application/json'
    const started = performance.now()
    return new Promise((done) => {
      const req = http.request(
        { host: '127.0.0.1', port, method, path, headers, agent, timeout: 30_000 },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (c) => {
            text += c
          })
          res.on('end', () => {
            counts.requests += 1
            options.onAnswer?.({ method, path, status: res.statusCode, ms: performance.now() - started })
            counts.byStatus[res.statusCode] = (counts.byStatus[res.statusCode] ?? 0) + 1
            const parsed = text ? JSON.parse(text) : {}
            // An access token that expired in flight is the SDK's cue to refresh and retry, not an error.
            if (res.statusCode === 401 && parsed.error?.code === 'token_expired')
              counts.expiredThenRefreshed += 1
            else if (res.statusCode >= 300) counts.errors += 1
            done({ status: res.statusCode, body: parsed, headers: res.headers })
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', (error) => {
        // A kept-alive socket the server closed as idle just as it was reused: Node's documented race, for
        // which a client sends the request again (nothing reached the server).
        if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) {
          counts.staleSocketRetries += 1
          done(request(method, path, { token, body }, true))
          return
        }
        counts.requests += 1
        counts.errors += 1
        counts.byStatus.network = (counts.byStatus.network ?? 0) + 1
        options.onAnswer?.({ method, path, status: 'network', ms: performance.now() - started, error })
        done({ status: 0, body: {} })
      })
      req.end(payload)
    })
  }

  /** Session `i`: signs in, then calls and refreshes until `stop()`. */
  async function session(i) {
    const refreshes = []
    refreshesOf.set(i, refreshes)
    const login = await request('POST', '/auth/login', {
      body: { username: options.username(i), password: options.password(i), refresh_transport: 'body' },
    })
    counts.logins += 1
    if (login.status !== 200) {
      counts.signedOut += 1
      return
    }
    let { access_token: access, refresh_token: refresh, expires_in: expiresIn } = login.body
    let refreshAt = Date.now() + (expiresIn - options.refreshBefore) * 1000
    let expired = null
    while (running) {
      if (expired || Date.now() >= refreshAt) {
        refreshes.push(expired ?? 'due')
        const next = await request('POST', '/auth/refresh', { body: { refresh_token: refresh } })
        counts.refreshes += 1
        if (next.status !== 200) {
          counts.signedOut += 1
          return
        }
        ;({ access_token: access, refresh_token: refresh, expires_in: expiresIn } = next.body)
        refreshAt = Date.now() + (expiresIn - options.refreshBefore) * 1000
      }
      const write = Math.random() < 0.1
      const res = await request(write ? 'POST' : 'GET', '/api/notes', {
        token: access,
        ...(write && { body: { text: `note ${counts.notes}` } }),
      })
      counts.notes += 1
      expired =
        res.status === 401 && res.body.error?.code === 'token_expired'
          ? /retired/.test(res.headers?.['www-authenticate'] ?? '')
            ? 'retired'
            : 'expired'
          : null
      if (expired) continue
      await pause(Math.random() * 2 * options.thinkMs)
    }
  }

  return {
    counts,
    refreshesOf,
    request,
    session,
    /** Ends every session's loop at its next step. */
    stop() {
      running = false
      stop()
    },
    close: () => agent.destroy(),
  }
}
