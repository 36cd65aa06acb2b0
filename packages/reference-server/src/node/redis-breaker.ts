/** What a call answers while the breaker is open: at once, rather than after the command timeout. */
export class RedisBreakerOpenError extends Error {
  override name = 'RedisBreakerOpenError'
  constructor() {
    super('Redis did not answer in time: not called until a probe gets through')
  }
}

/** ioredis's error for a command that outlived `commandTimeout`. */
const isTimeout = (error: unknown) => /timed out/i.test(String((error as Error)?.message ?? error))

export interface RedisBreaker {
  /** Runs `command`, or fails at once while Redis is known not to answer. */
  run<T>(command: () => Promise<T>): Promise<T>
  /** True while calls fail fast. */
  open(): boolean
  close(): void
}

/**
 * A circuit breaker for one Redis connection. A command that times out opens it: every call then fails
 * at once (the caller falls back as for a dead Redis) instead of each waiting out its own timeout, which
 * for a frozen Redis made every sign-in wait three limiter timeouts. Meanwhile `probe` (a PING) is sent
 * every `coolDownMs` in the background; the first that is answered closes the breaker.
 */
export function createRedisBreaker(options: {
  probe: () => Promise<unknown>
  coolDownMs?: number
  onOpen?: () => void
  onClose?: () => void
}): RedisBreaker {
  const coolDownMs = options.coolDownMs ?? 1000
  let timer: ReturnType<typeof setTimeout> | undefined
  let isOpen = false
  let closed = false
  const schedule = () => {
    if (closed) return
    timer = setTimeout(() => {
      options.probe().then(
        () => {
          if (!isOpen || closed) return
          isOpen = false
          options.onClose?.()
        },
        () => schedule(),
      )
    }, coolDownMs)
    timer.unref?.()
  }
  const trip = () => {
    if (isOpen || closed) return
    isOpen = true
    options.onOpen?.()
    schedule()
  }
  return {
    run(command) {
      if (isOpen) return Promise.reject(new RedisBreakerOpenError())
      return command().catch((error: unknown) => {
        if (isTimeout(error)) trip()
        throw error
      })
    },
    open: () => isOpen,
    close() {
      closed = true
      clearTimeout(timer)
    },
  }
}
