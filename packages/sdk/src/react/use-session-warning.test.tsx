import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, expect, test, vi } from 'vitest'
import { ALICE, mockBackend } from '../../test/harness.js'
import { LeashProvider, RequireSession, useSessionWarning } from './index.js'

afterEach(cleanup)
const { client } = mockBackend({ accessTtl: 300, idleTimeout: 600 })

function Warning() {
  const { open, secondsLeft, reason, extend, logout } = useSessionWarning()
  if (!open) return <p>no warning</p>
  return (
    <div>
      <p>
        {reason}: {secondsLeft}s
      </p>
      <button type="button" onClick={() => void extend()}>
        stay
      </button>
      <button type="button" onClick={() => void logout()}>
        leave
      </button>
    </div>
  )
}

test('useSessionWarning counts down, extend closes it, logout ends the session', async () => {
  const leash = client({ warnBefore: 60_000 })
  await leash.login(ALICE)
  render(
    <LeashProvider client={leash}>
      <Warning />
      <RequireSession fallback={<p>signed out</p>}>
        <p>private</p>
      </RequireSession>
    </LeashProvider>,
  )
  expect(screen.getByText('no warning')).toBeTruthy()
  expect(screen.getByText('private')).toBeTruthy()
  await act(() => vi.advanceTimersByTimeAsync(540_000))
  expect(screen.getByText('idle: 60s')).toBeTruthy()
  await act(() => vi.advanceTimersByTimeAsync(10_000))
  expect(screen.getByText('idle: 50s')).toBeTruthy()
  fireEvent.click(screen.getByText('stay'))
  await act(() => vi.advanceTimersByTimeAsync(0))
  await vi.waitFor(() => expect(screen.getByText('no warning')).toBeTruthy())
  expect(leash.store.getState().status).toBe('authenticated')
  await act(() => vi.advanceTimersByTimeAsync(540_000))
  fireEvent.click(screen.getByText('leave'))
  await vi.waitFor(() => expect(screen.getByText('signed out')).toBeTruthy())
  expect(screen.queryByText('private')).toBeNull()
  expect(leash.store.getState().status).toBe('loggedOut')
})

test('RequireSession shows the fallback until there is a live session', async () => {
  const leash = client()
  render(
    <LeashProvider client={leash}>
      <RequireSession fallback={<p>please sign in</p>}>
        <p>private</p>
      </RequireSession>
    </LeashProvider>,
  )
  expect(screen.getByText('please sign in')).toBeTruthy()
  await act(() => leash.login(ALICE).then(() => undefined))
  expect(screen.getByText('private')).toBeTruthy()
})
