import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, expect, test } from 'vitest'
import { ALICE, mockBackend } from '../../test/harness.js'
import type { LeashState } from '../state.js'
import { LeashProvider, useLeash } from './index.js'

afterEach(cleanup)
const { client } = mockBackend()

const renders: Record<string, number> = {}

function Probe<T>({ name, select }: { name: string; select: (s: LeashState) => T }) {
  const value = useLeash(select)
  renders[name] = (renders[name] ?? 0) + 1
  return <span data-testid={name}>{String(value)}</span>
}

const byName = (s: LeashState) => s.user?.username
const byToken = (s: LeashState) => s.accessToken
const byStatus = (s: LeashState) => s.status

let seen: LeashState | undefined
function All() {
  seen = useLeash()
  return null
}

test('useLeash re-renders only when the selected slice changes', async () => {
  const leash = client()
  await leash.login(ALICE)
  render(
    <LeashProvider client={leash}>
      <Probe name="name" select={byName} />
      <Probe name="token" select={byToken} />
      <Probe name="status" select={byStatus} />
    </LeashProvider>,
  )
  expect(renders).toEqual({ name: 1, token: 1, status: 1 })
  const before = leash.store.getState().accessToken
  await act(() => leash.extend()) // new token; status goes refreshing → authenticated; same user
  expect(leash.store.getState().accessToken).not.toBe(before)
  expect(renders.name).toBe(1)
  expect(renders.token).toBe(2)
  expect(renders.status).toBe(3)
  expect(screen.getByTestId('name').textContent).toBe('alice')
  await act(() => leash.logout())
  expect(renders.name).toBe(2)
  expect(screen.getByTestId('name').textContent).toBe('undefined')
})

test('useLeash() without a selector returns the whole state; outside a provider it throws', () => {
  const leash = client()
  render(
    <LeashProvider client={leash}>
      <All />
    </LeashProvider>,
  )
  expect(seen).toBe(leash.store.getState())
  expect(() => render(<All />)).toThrow(/LeashProvider/)
})
