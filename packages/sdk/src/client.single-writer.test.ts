import { HttpResponse, http } from 'msw'
import { expect, test, vi } from 'vitest'
import { ALICE, memoryLock, mockBackend } from '../test/harness.js'
import type { LeashClient } from './client.js'
import type { ChannelFactory, LeashMessage } from './cross-tab.js'
import type { LeashEvents } from './events.js'
import type { LeashOptions } from './options.js'
import { isLive } from './state.js'
import { memoryStorage } from './storage.js'

// One writer per state (DESIGN.md, 12): every transition of this tab goes through the session's `apply`, which
// publishes the state, saves, tells the other tabs and emits, in that order and all together. This test
// records the four outputs of a client in one log and checks, for each transition a caller can ask for, that
// (1) they come as one unbroken group in that order, and (2) when an event fires, the store, the storage key
// and the last message to the other tabs all say the same thing. A caller that saved without telling, told
// before saving, emitted before the store moved, or wrote a different token to storage than to the store
// fails here.
const { client, server, backend } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })
const events: (keyof LeashEvents)[] = [
  'login',
  'refreshed',
  'warning',
  'extended',
  'expired',
  'loggedOut',
  'disabled',
  'refreshFailed',
]

function recorded(options: LeashOptions = {}) {
  const log: string[] = []
  const storage = memoryStorage()
  const key = 'leash:http://localhost:3000:session'
  const stored = () => JSON.parse(storage.getItem(key) ?? 'null')
  let told: LeashMessage | null = null
  const channel: ChannelFactory = () => ({
    post(m) {
      told = m
      log.push(`tell ${m.type}${m.type === 'loggedOut' && m.accessToken ? '+token' : ''}`)
    },
    close() {},
  })
  const leash: LeashClient = client({
    crossTab: true,
    lock: memoryLock(),
    channel,
    ...options,
    storage: {
      getItem: (k) => storage.getItem(k),
      setItem(k, v) {
        storage.setItem(k, v)
        const s = JSON.parse(v)
        log.push(
          `save ${s.loggedOut ? `loggedOut${s.accessToken ? '+token' : ''}` : s.disabled ? 'disabled' : 'session'}`,
        )
      },
      removeItem(k) {
        storage.removeItem(k)
        log.push('save nothing')
      },
    },
  })
  const disagreements: string[] = []
  leash.store.subscribe((s) => log.push(`state ${s.status}`))
  for (const name of events)
    leash.on(name, (payload) => {
      log.push(`event ${name}`)
      if ('remote' in payload && payload.remote) return
      // what the store, storage and the other tabs were given must be one and the same session (or its end)
      const state = leash.store.getState()
      const s = stored()
      const agree =
        name === 'extended' ||
        name === 'warning' ||
        (isLive(state.status)
          ? s?.accessToken === state.accessToken &&
            (name === 'refreshFailed' ||
              (told?.type === 'session' && told.record.accessToken === s.accessToken))
          : state.status === 'expired'
            ? s === null
            : state.status === 'disabled'
              ? JSON.stringify(s) === '{"disabled":true}' && told?.type === 'disabled'
              : s?.loggedOut === true &&
                s.accessToken === (state.accessToken ?? undefined) &&
                told?.type === 'loggedOut' &&
                told.accessToken === s.accessToken)
      if (!agree) disagreements.push(`${name}: ${JSON.stringify({ state, stored: s, told })}`)
    })
  /** The log since the last call. */
  const take = () => log.splice(0)
  return { leash, take, disagreements }
}

test('each transition publishes, saves, tells and emits as one group, in that order, and they agree', async () => {
  const { leash, take, disagreements } = recorded({ refreshTransport: 'body' })
  await leash.ready
  take()

  await leash.login(ALICE)
  expect(take()).toEqual(['state authenticated', 'save session', 'tell session', 'event login'])

  await leash.extend() // a refresh: saved and told while the lock is held, then the call's own event
  expect(take()).toEqual([
    'state refreshing',
    'state authenticated',
    'save session',
    'tell session',
    'event refreshed',
    'event extended',
  ])

  // a logout ends the session here at once and saves that; the server's 1-second token is then saved,
  // told and emitted together
  await leash.logout()
  expect(take()).toEqual([
    'state loggedOut',
    'save loggedOut',
    'state loggedOut',
    'save loggedOut+token',
    'tell loggedOut+token',
    'event loggedOut',
  ])

  // revoking this device: as a logout, without the token
  await leash.login(ALICE)
  take()
  const [own] = (await leash.sessions()).filter((s) => s.current)
  take()
  await leash.revokeSession(own!.id)
  expect(take()).toEqual(['state loggedOut', 'save loggedOut', 'tell loggedOut', 'event loggedOut'])

  // a refresh the server refuses ends the session: saved as nothing, and emitted (not told: each tab's own)
  await leash.login(ALICE)
  take()
  server.use(
    http.post('/auth/refresh', () =>
      HttpResponse.json({ error: { code: 'session_revoked', message: 'revoked' } }, { status: 401 }),
    ),
  )
  await leash.extend().catch(() => {})
  expect(take()).toEqual([
    'state refreshing',
    'state expired',
    'save nothing',
    'event refreshFailed',
    'event expired',
  ])
  server.resetHandlers()

  // a disable: the store moves, storage is cleared but for the disable's marker, the other tabs are told, then
  // the event
  await leash.login(ALICE)
  take()
  server.use(http.get('/api/ping', () => HttpResponse.json({ ok: true, user_enabled: false })))
  await leash.http.get('/api/ping', { leash: { skipAuth: true } }).catch(() => {})
  expect(take()).toEqual(['state disabled', 'save disabled', 'tell disabled', 'event disabled'])

  // the idle end: the store moves, storage is emptied, the event fires; expiry is each tab's own
  await backend.reset()
  await leash.login(ALICE)
  take()
  await vi.advanceTimersByTimeAsync(1_801_000)
  expect(take().filter((l) => !l.startsWith('state expiring') && l !== 'event warning')).toEqual([
    'state expired',
    'save nothing',
    'event expired',
  ])

  expect(disagreements).toEqual([])
})
