import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, expect, test, vi } from 'vitest'
import { mockBackend, ROOT, rejection } from '../../test/harness.js'
import type { LeashClient } from '../client.js'
import { LeashProvider, type ReauthenticationView, useReauthentication } from './index.js'

afterEach(cleanup)
// An access token that outlives the step-up window (LEASH_REAUTH_MAX_AGE, 600 s): no refresh in the way.
const { client, count } = mockBackend({ accessTtl: 1200, idleTimeout: 1800 })

let view: ReauthenticationView
function Prompt() {
  view = useReauthentication()
  return <p>{view.required ? 'confirm your password' : 'no prompt'}</p>
}

/** Root, signed in 700 s ago, with the prompt rendered; and a request that needs a recent sign-in. */
async function staleAdmin() {
  const leash = client()
  await leash.login(ROOT)
  await vi.advanceTimersByTimeAsync(700_000)
  render(
    <LeashProvider client={leash}>
      <Prompt />
    </LeashProvider>,
  )
  const { data } = await leash.http.get<{ users: { id: string; username: string }[] }>('/admin/users')
  const alice = data.users.find((u) => u.username === 'alice')!.id
  const path = `/admin/users/${alice}/revoke`
  return { leash, path, revoke: (l: LeashClient = leash) => l.http.post(path) }
}

test('a refused request opens the prompt; confirm steps up, retries it once and resolves with its answer', async () => {
  const { path, revoke } = await staleAdmin()
  expect(screen.getByText('no prompt')).toBeTruthy()
  await act(async () => {
    expect(await rejection(revoke())).toMatchObject({ code: 'reauthentication_required' })
  })
  expect(screen.getByText('confirm your password')).toBeTruthy()
  expect(count(path)).toBe(1)

  let answer: unknown
  await act(async () => {
    answer = await view.confirm(ROOT.password)
  })
  expect(answer).toMatchObject({ status: 200, data: { user: { username: 'alice' } } })
  expect(count(path)).toBe(2)
  expect(count('/auth/reauthenticate')).toBe(1)
  expect(screen.getByText('no prompt')).toBeTruthy()
})

test('a wrong password rejects and keeps the prompt open with its request; cancel closes it, retrying nothing', async () => {
  const { path, revoke } = await staleAdmin()
  await act(async () => {
    await rejection(revoke())
  })
  await act(async () => {
    expect(await rejection(view.confirm('wrong-password'))).toMatchObject({ code: 'invalid_credentials' })
  })
  expect(screen.getByText('confirm your password')).toBeTruthy()
  act(() => view.cancel())
  expect(screen.getByText('no prompt')).toBeTruthy()
  expect(count(path)).toBe(1)
})

test('requests refused while the prompt is open wait with the first: one step-up, each sent again once', async () => {
  const { leash, path } = await staleAdmin()
  const role = path.replace('/revoke', '')
  await act(async () => {
    await rejection(leash.http.post(path))
    await rejection(leash.http.patch(role, { role: 'admin' }))
  })
  let answer: unknown
  await act(async () => {
    answer = await view.confirm(ROOT.password)
  })
  expect(answer).toMatchObject({ status: 200 })
  await vi.waitFor(() => expect(count(role)).toBe(2))
  expect(count(path)).toBe(2)
  expect(count('/auth/reauthenticate')).toBe(1)
  const { data } = await leash.http.get<{ users: { username: string; role: string }[] }>('/admin/users')
  expect(data.users.find((u) => u.username === 'alice')).toMatchObject({ role: 'admin' })
})
