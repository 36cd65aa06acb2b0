import { createMockBackend } from '@leash/reference-server/msw'
import { createLeashClient, type LeashClient } from '@leash/sdk'
import { cleanup, configure, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { App } from './App.tsx'

configure({ asyncUtilTimeout: 5_000 })

// A sign-in counts as recent for a minute here; the tests move the clock (the mock's and the client's is
// Date.now) past it rather than wait.
const backend = createMockBackend({
  users: [
    { username: 'alice', password: 'alice-password' },
    { username: 'admin', password: 'admin-password', role: 'admin' },
  ],
  config: { reauthMaxAge: 60 },
})
const server = setupServer(...backend.handlers)
const clients: LeashClient[] = []
const sent: string[] = []
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(async () => {
  cleanup()
  vi.restoreAllMocks()
  server.events.removeAllListeners()
  sent.length = 0
  for (const c of clients.splice(0)) c.dispose()
  await backend.reset()
  localStorage.clear()
})
afterAll(() => server.close())

async function signedIn(username: string) {
  server.events.on('request:start', ({ request }) =>
    sent.push(`${request.method} ${new URL(request.url).pathname}`),
  )
  const client = createLeashClient({ crossTab: false })
  clients.push(client)
  const user = userEvent.setup()
  render(<App client={client} />)
  await user.type(screen.getByLabelText('Username'), username)
  await user.type(screen.getByLabelText('Password'), `${username}-password`)
  await user.click(screen.getByRole('button', { name: 'Sign in' }))
  await screen.findByText('No notes yet.')
  // the sign-in is now older than the server's 60 s
  const from = Date.now() + 61_000
  const started = performance.now()
  vi.spyOn(Date, 'now').mockImplementation(() => from + (performance.now() - started))
  return { client, user }
}

const count = (call: string) => sent.filter((s) => s === call).length

describe('the "Confirm your password" dialog', () => {
  it('opens when a password change is refused for an old sign-in, and retries it once confirmed', async () => {
    const { user } = await signedIn('alice')
    const panel = screen.getByRole('region', { name: 'Change password' })
    await user.type(within(panel).getByLabelText('Current password'), 'alice-password')
    await user.type(within(panel).getByLabelText('New password'), 'correct-horse-battery')
    await user.click(within(panel).getByRole('button', { name: 'Change password' }))

    const dialog = await screen.findByRole('dialog', { name: 'Confirm your password' })
    const field = within(dialog).getByLabelText('Your password')
    expect(document.activeElement).toBe(field)
    expect(count('POST /auth/password')).toBe(1)

    // a wrong password: said so, the dialog stays, nothing retried
    await user.type(field, 'not-her-password')
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Wrong password.')
    expect(count('POST /auth/password')).toBe(1)

    await user.clear(field)
    await user.type(field, 'alice-password')
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }))
    expect((await within(panel).findByRole('status')).textContent).toBe(
      'Password changed. Your other devices were signed out.',
    )
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(count('POST /auth/reauthenticate')).toBe(2)
    expect(count('POST /auth/password')).toBe(2) // the refused one, and its one retry
    // the new password is the one now
    const other = createLeashClient({ crossTab: false, storage: 'memory', refreshTransport: 'body' })
    clients.push(other)
    await expect(other.login({ username: 'alice', password: 'correct-horse-battery' })).resolves.toBeTruthy()
  })

  it('Escape cancels: the admin action says it was not done, and nothing changed', async () => {
    const { user } = await signedIn('admin')
    const panel = await screen.findByRole('region', { name: 'Administration' })
    await user.click(await within(panel).findByRole('button', { name: 'Disable alice' }))
    const dialog = await screen.findByRole('dialog', { name: 'Confirm your password' })
    await user.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(dialog.isConnected).toBe(false)
    expect(within(panel).getByRole('status').textContent).toBe(
      'Not done: that needs your password confirmed.',
    )
    expect((await backend.admin.user('alice')).enabled).toBe(true)
    expect(count('POST /auth/reauthenticate')).toBe(0)
  })

  it('signs another device out once the password is confirmed', async () => {
    const phone = createLeashClient({ crossTab: false, storage: 'memory', refreshTransport: 'body' })
    clients.push(phone)
    await phone.login({ username: 'alice', password: 'alice-password' })
    const { user } = await signedIn('alice')
    const panel = screen.getByRole('region', { name: 'Signed-in devices' })
    const list = await within(panel).findByRole('list', { name: 'Your devices' })
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(2))
    await user.click(within(list).getByRole('button', { name: /^Sign out jsdom on Linux, signed in/ }))
    const dialog = await screen.findByRole('dialog', { name: 'Confirm your password' })
    await user.type(within(dialog).getByLabelText('Your password'), 'alice-password')
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }))
    expect((await within(panel).findByRole('status')).textContent).toBe('jsdom on Linux was signed out.')
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1))
    // the refused sign-out, and its one retry
    expect(sent.filter((s) => s.startsWith('DELETE /auth/sessions/'))).toHaveLength(2)
    await expect(phone.http.get('/api/notes')).rejects.toMatchObject({ code: 'session_revoked' })
  })
})
