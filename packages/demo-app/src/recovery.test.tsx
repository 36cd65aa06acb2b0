import { createMockBackend } from '@leash/reference-server/msw'
import { createLeashClient, type LeashClient } from '@leash/sdk'
import { cleanup, configure, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { App } from './App.tsx'

// Hashing, and the password policy's first load (zxcvbn's dictionaries), can take seconds on a busy machine.
configure({ asyncUtilTimeout: 5_000 })

const backend = createMockBackend({
  users: [{ username: 'alice', password: 'alice-password', email: 'alice@example.com' }],
})
const server = setupServer(...backend.handlers)
const clients: LeashClient[] = []
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(async () => {
  cleanup()
  for (const c of clients.splice(0)) c.dispose()
  await backend.reset()
  localStorage.clear()
  window.history.replaceState(null, '', '/')
})
afterAll(() => server.close())

/** The app, opened at `path` (as a link from a mail opens it). */
function renderAt(path = '/') {
  window.history.replaceState(null, '', path)
  const client = createLeashClient({ crossTab: false })
  clients.push(client)
  const user = userEvent.setup()
  render(<App client={client} />)
  return { client, user }
}

const post = (path: string, body: object) =>
  fetch(`${location.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

/** Asks for a reset link as the forgot page does, and returns the path it opens (`/reset-password?token=…`). */
async function resetLink(email = 'alice@example.com') {
  expect((await post('/auth/password/forgot', { email })).status).toBe(200)
  await backend.mailbox.settled()
  const link = new URL(backend.mailbox.last(email)!.link!)
  return `${link.pathname}${link.search}`
}

describe('forgot password', () => {
  it('is a link on the sign-in page; it mails a reset link and says the same for an unknown address', async () => {
    const { user } = renderAt('/')
    await user.click(await screen.findByRole('link', { name: 'Forgot password?' }))
    expect(await screen.findByRole('heading', { name: 'Reset your password' })).toBeTruthy()
    expect(location.pathname).toBe('/forgot-password')

    await user.type(screen.getByLabelText('Email'), 'alice@example.com')
    await user.click(screen.getByRole('button', { name: 'Send the link' }))
    const known = (await screen.findByRole('status')).textContent!
    expect(known).toMatch(/^If an account has the address alice@example\.com, a link/)
    await backend.mailbox.settled()
    expect(backend.mailbox.last('alice@example.com')?.link).toMatch(/\/reset-password\?token=[\w-]+$/)

    await user.clear(screen.getByLabelText('Email'))
    await user.type(screen.getByLabelText('Email'), 'nobody@example.com')
    await user.click(screen.getByRole('button', { name: 'Send another link' }))
    await screen.findByText(/nobody@example\.com/)
    expect(screen.getByRole('status').textContent).toBe(
      known.replace('alice@example.com', 'nobody@example.com'),
    )
    await backend.mailbox.settled()
    expect(backend.mailbox.last('nobody@example.com')).toBeUndefined()

    await user.click(screen.getByRole('link', { name: 'Back to sign-in' }))
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy()
  })
})

describe('the reset page', () => {
  it('sets the new password from the mailed link, then the sign-in takes it', async () => {
    const path = await resetLink()
    const { user } = renderAt(path)
    expect(await screen.findByRole('heading', { name: 'Set a new password' })).toBeTruthy()
    await user.type(screen.getByLabelText('New password'), 'correct-horse-battery')
    await user.type(screen.getByLabelText('New password, again'), 'correct-horse-battery')
    await user.click(screen.getByRole('button', { name: 'Set the new password' }))
    expect((await screen.findByRole('status')).textContent).toMatch(/^Your password was changed/)

    await user.click(screen.getByRole('link', { name: 'Sign in with the new password' }))
    await user.type(await screen.findByLabelText('Username'), 'alice')
    await user.type(screen.getByLabelText('Password'), 'correct-horse-battery')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByText('No notes yet.')).toBeTruthy()
  })

  it('refuses a used link clearly, with a way to ask for a new one', async () => {
    const path = await resetLink()
    const token = new URLSearchParams(path.split('?')[1]).get('token')!
    expect((await post('/auth/password/reset', { token, password: 'correct-horse-battery' })).status).toBe(
      200,
    )
    const { user } = renderAt(path)
    await user.type(await screen.findByLabelText('New password'), 'another-long-passphrase')
    await user.type(screen.getByLabelText('New password, again'), 'another-long-passphrase')
    await user.click(screen.getByRole('button', { name: 'Set the new password' }))
    expect((await screen.findByRole('alert')).textContent).toMatch(/^This link does not work any more/)
    expect(screen.queryByLabelText('New password')).toBeNull()
    await user.click(screen.getByRole('link', { name: 'Ask for a new link' }))
    expect(await screen.findByRole('heading', { name: 'Reset your password' })).toBeTruthy()
  })

  it('shows the server’s reason for a weak password, and the link still works for a better one', async () => {
    const { user } = renderAt(await resetLink())
    await user.type(await screen.findByLabelText('New password'), 'password1')
    await user.type(screen.getByLabelText('New password, again'), 'password1')
    await user.click(screen.getByRole('button', { name: 'Set the new password' }))
    const alert = await screen.findByRole('alert')
    // the policy's own words (password-policy.ts), not a message of the demo's
    expect(alert.textContent).toMatch(
      /^The new password is too common or too easy to guess.*Choose another\.$/,
    )

    await user.clear(screen.getByLabelText('New password'))
    await user.clear(screen.getByLabelText('New password, again'))
    await user.type(screen.getByLabelText('New password'), 'correct-horse-battery')
    await user.type(screen.getByLabelText('New password, again'), 'correct-horse-battery')
    await user.click(screen.getByRole('button', { name: 'Set the new password' }))
    expect((await screen.findByRole('status')).textContent).toMatch(/^Your password was changed/)
  })

  it('says so when the two passwords differ, and sends nothing', async () => {
    const { user } = renderAt(await resetLink())
    await user.type(await screen.findByLabelText('New password'), 'correct-horse-battery')
    await user.type(screen.getByLabelText('New password, again'), 'correct-horse-batterz')
    await user.click(screen.getByRole('button', { name: 'Set the new password' }))
    expect((await screen.findByRole('alert')).textContent).toBe('The two passwords differ.')
  })

  it('without a token, says the page needs the mailed link', async () => {
    renderAt('/reset-password')
    expect((await screen.findByRole('alert')).textContent).toMatch(/needs the link from the email/)
    expect(screen.getByRole('link', { name: 'Ask for a new link' })).toBeTruthy()
  })
})

describe('the verify page', () => {
  it('confirms the address from the mailed link; an unknown link is refused', async () => {
    const registered = await post('/auth/register', {
      username: 'carol',
      password: 'carol-password',
      email: 'carol@example.com',
    })
    expect(registered.status).toBe(201)
    await backend.mailbox.settled()
    const link = new URL(backend.mailbox.last('carol@example.com')!.link!)
    expect(link.pathname).toBe('/verify-email')
    renderAt(`${link.pathname}${link.search}`)
    expect((await screen.findByRole('status')).textContent).toBe('Your email address is confirmed.')

    cleanup()
    renderAt('/verify-email?token=not-a-real-token')
    expect((await screen.findByRole('alert')).textContent).toMatch(/^This link does not work/)
  })
})
