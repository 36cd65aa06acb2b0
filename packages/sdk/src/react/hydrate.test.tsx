import { act } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, expect, test, vi } from 'vitest'
import { ALICE, mockBackend } from '../../test/harness.js'
import type { LeashClient } from '../client.js'
import { createLeashClient } from '../client.js'
import { LeashProvider, RequireSession, useLeash, useSessionWarning } from './index.js'

const { client } = mockBackend()
;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

function Page({ leash }: { leash: LeashClient }) {
  return (
    <LeashProvider client={leash}>
      <Header />
      <RequireSession fallback={<p>sign in</p>} pending={<p>loading</p>}>
        <p>private notes</p>
      </RequireSession>
    </LeashProvider>
  )
}
function Header() {
  const name = useLeash((s) => s.user?.username ?? 'guest')
  const { open } = useSessionWarning()
  return (
    <h1>
      {name}
      {open ? ' (ending)' : ''}
    </h1>
  )
}

let root: { unmount(): void } | undefined
afterEach(() => {
  act(() => root?.unmount())
  root = undefined
  document.body.innerHTML = ''
})

test('a server-rendered page hydrates without a mismatch, then shows the session the browser holds', async () => {
  // the browser has a session from an earlier visit
  const earlier = client()
  await earlier.login(ALICE)
  earlier.dispose()
  // the server: no window, no storage of the browser's
  const server = createLeashClient({ window: undefined, crossTab: false })
  const html = renderToString(<Page leash={server} />)

  const browser = client()
  expect(browser.store.getState().status).toBe('authenticated')
  const container = document.createElement('div')
  container.innerHTML = html
  document.body.append(container)
  const errors = vi.spyOn(console, 'error')
  const recoverable = vi.fn()
  await act(async () => {
    root = hydrateRoot(container, <Page leash={browser} />, { onRecoverableError: recoverable })
  })
  expect(errors).not.toHaveBeenCalled()
  expect(recoverable).not.toHaveBeenCalled()
  expect(html).toBe('<h1>guest</h1><p>loading</p>') // the server knew no session
  expect(container.innerHTML).toBe('<h1>alice</h1><p>private notes</p>')
  errors.mockRestore()
})

test('a signed-out browser hydrates the same server page into the sign-in fallback', async () => {
  const server = createLeashClient({ window: undefined, crossTab: false })
  const html = renderToString(<Page leash={server} />)
  const container = document.createElement('div')
  container.innerHTML = html
  document.body.append(container)
  const errors = vi.spyOn(console, 'error')
  const recoverable = vi.fn()
  await act(async () => {
    root = hydrateRoot(container, <Page leash={client()} />, { onRecoverableError: recoverable })
  })
  expect(errors).not.toHaveBeenCalled()
  expect(recoverable).not.toHaveBeenCalled()
  expect(container.innerHTML).toBe('<h1>guest</h1><p>sign in</p>')
  errors.mockRestore()
})
