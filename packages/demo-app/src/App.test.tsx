import { createMockBackend } from '@leash/reference-server/msw'
import { createLeashClient, type LeashClient } from '@leash/sdk'
import { act, cleanup, configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { App } from './App.tsx'

// A busy CI machine can take more than the default second to sign in (hashing) or out.
configure({ asyncUtilTimeout: 5_000 })

const backend = createMockBackend({
  users: [
    { username: 'alice', password: 'alice-password' },
    { username: 'admin', password: 'admin-password', role: 'admin' },
  ],
})
const server = setupServer(...backend.handlers)
const clients: LeashClient[] = []
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(async () => {
  cleanup()
  server.resetHandlers()
  server.events.removeAllListeners()
  for (const c of clients.splice(0)) c.dispose()
  await backend.reset()
  localStorage.clear()
})
afterAll(() => server.close())

function renderApp() {
  const client = createLeashClient({ crossTab: false, warnBefore: 30_000, refreshMargin: 10_000 })
  clients.push(client)
  const user = userEvent.setup()
  render(<App client={client} />)
  return { client, user }
}

async function signIn(
  user: ReturnType<typeof userEvent.setup>,
  username: string,
  password = `${username}-password`,
) {
  await user.type(screen.getByLabelText('Username'), username)
  await user.type(screen.getByLabelText('Password'), password)
  await user.click(screen.getByRole('button', { name: 'Sign in' }))
}

describe('demo app', () => {
  it('signs in, loads notes and adds one through leash.http', async () => {
    const { user } = renderApp()
    await signIn(user, 'alice')
    expect(await screen.findByText('No notes yet.')).toBeTruthy()
    await user.type(screen.getByPlaceholderText('Write a note…'), 'buy milk')
    await user.click(screen.getByRole('button', { name: 'Add note' }))
    const list = await screen.findByRole('list', { name: 'Your notes' })
    expect(within(list).getByText('buy milk')).toBeTruthy()
    expect(screen.getByTestId('status').textContent).toBe('authenticated')
    expect(screen.queryByRole('heading', { name: 'Administration' })).toBeNull()
  })

  it('shows a server error as text and stays on the sign-in page', async () => {
    const { user } = renderApp()
    await signIn(user, 'alice', 'not-her-password')
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.')
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy()
  })

  it('lands on the sign-in page saying the account is disabled', async () => {
    const { user, client } = renderApp()
    await signIn(user, 'alice')
    await screen.findByText('No notes yet.')
    await backend.admin.disable('alice')
    await act(async () => {
      await client.http.get('/api/notes').catch(() => {})
    })
    expect((await screen.findByRole('status')).textContent).toMatch(/account has been disabled/)
    expect(screen.getByLabelText('Username')).toBeTruthy()
    // storage is cleared but for Leash's marker of the ending (no token, no user)
    expect(Object.values(localStorage)).toEqual(['{"disabled":true}'])
    // a reload (a new client over the same storage) still says why
    cleanup()
    client.dispose()
    renderApp()
    expect((await screen.findByRole('status')).textContent).toMatch(/account has been disabled/)
  })

  // The reload of the e2e test, in one page: a new client restores the session a disabled user left. The
  // reason comes from the session's state, so it does not matter which of the page's calls meets it first.
  it.each([
    ['the devices panel', '/auth/sessions', '/api/notes'],
    ['the notes', '/api/notes', '/auth/sessions'],
  ])(
    'after a reload, %s meeting the disable first, the sign-in page says the account is disabled',
    async (_, first, held) => {
      const before = renderApp()
      await signIn(before.user, 'alice')
      await screen.findByText('No notes yet.')
      await backend.admin.disable('alice')
      cleanup()
      before.client.dispose()
      let release = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const met: string[] = []
      const answered: string[] = []
      server.events.on('response:mocked', ({ request }) => answered.push(new URL(request.url).pathname))
      server.use(
        http.all(held, async () => {
          await gate // then on to the backend's own handler
        }),
        http.all(first, ({ request }) => {
          met.push(new URL(request.url).pathname)
        }),
      )
      const { client } = renderApp()
      expect(client.store.getState().status).toBe('authenticated')
      expect((await screen.findByRole('status')).textContent).toMatch(/account has been disabled/)
      expect(met).toEqual([first])
      expect(client.store.getState().status).toBe('disabled')
      expect(Object.values(localStorage)).toEqual(['{"disabled":true}'])
      // the held call meets the disable too, after the fact: the page still says why
      release()
      await waitFor(() => expect(answered).toContain(held))
      expect(screen.getByRole('status').textContent).toMatch(/account has been disabled/)
      expect(screen.getByLabelText('Username')).toBeTruthy()
    },
  )

  it('signs out to the sign-in page, keeping only the one-second token', async () => {
    const { user } = renderApp()
    await signIn(user, 'alice')
    await screen.findByText('No notes yet.')
    await user.click(screen.getByRole('button', { name: 'Sign out' }))
    expect((await screen.findByRole('status')).textContent).toBe('You signed out.')
    // The page says so at once; the 1-second token replaces the old one when the server's answer arrives.
    const stored = () =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('leash:'))
        .map((k) => localStorage.getItem(k) ?? '')
        .join(' ')
    const token = await waitFor(() => {
      const found = stored().match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/)?.[0]
      expect(found).toBeDefined()
      return found!
    })
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))
    expect(claims.exp - claims.iat).toBe(1)
  })

  it('lists the signed-in devices; signs another out, then this one', async () => {
    // a phone signed in earlier: its own storage and refresh token
    const phone = createLeashClient({ crossTab: false, storage: 'memory', refreshTransport: 'body' })
    clients.push(phone)
    await phone.login({ username: 'alice', password: 'alice-password' })
    const { user, client } = renderApp()
    await signIn(user, 'alice')
    const panel = await screen.findByRole('region', { name: 'Signed-in devices' })
    const list = await within(panel).findByRole('list', { name: 'Your devices' })
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(2))
    const [mine, other] = within(list).getAllByRole('listitem')
    expect(within(mine!).getByText('This device')).toBeTruthy()
    expect(mine!.textContent).toContain('jsdom on Linux') // jsdom's User-Agent, as the server kept it
    expect(within(other!).queryByText('This device')).toBeNull()

    await user.click(within(other!).getByRole('button', { name: /^Sign out jsdom on Linux, signed in/ }))
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1))
    expect(within(panel).getByRole('status').textContent).toBe('jsdom on Linux was signed out.')
    await expect(phone.http.get('/api/notes')).rejects.toMatchObject({ code: 'session_revoked' })
    expect(phone.store.getState().status).toBe('expired')
    expect(client.store.getState().status).toBe('authenticated')

    await user.click(within(list).getByRole('button', { name: 'Sign out jsdom on Linux, this device' }))
    expect((await screen.findByRole('status')).textContent).toBe('You signed out.')
    expect(screen.getByLabelText('Username')).toBeTruthy()
    expect(client.store.getState().status).toBe('loggedOut')
  })

  it('gives admins a panel that disables a user', async () => {
    const { user } = renderApp()
    await signIn(user, 'admin')
    const panel = await screen.findByRole('region', { name: 'Administration' })
    await user.click(await within(panel).findByRole('button', { name: 'Disable alice' }))
    await waitFor(() => expect(within(panel).getByRole('button', { name: 'Enable alice' })).toBeTruthy())
    expect((await backend.admin.user('alice')).enabled).toBe(false)
  })

  it('shows admins a selected user’s recent events', async () => {
    const { user } = renderApp()
    await signIn(user, 'admin')
    const panel = await screen.findByRole('region', { name: 'Administration' })
    await user.click(await within(panel).findByRole('button', { name: 'Disable alice' }))
    await waitFor(() => expect(within(panel).getByRole('button', { name: 'Enable alice' })).toBeTruthy())
    await user.click(within(panel).getByRole('button', { name: 'Events of alice' }))
    const events = await within(panel).findByRole('region', { name: 'Recent events of alice' })
    await waitFor(() => expect(within(events).getByText('user.disabled')).toBeTruthy())
  })
})
