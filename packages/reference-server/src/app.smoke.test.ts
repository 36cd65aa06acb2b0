import { describe, expect, it } from 'vitest'
import { codeOf, testServer } from './test/harness.js'

describe('smoke', () => {
  it('logs in and reads /auth/me', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const me = await s.bearer(t.access_token)
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ user: { username: 'alice' }, user_enabled: true })
    const bad = await s.bearer(`${t.access_token}x`)
    expect(bad.status).toBe(401)
    expect(await codeOf(bad)).toBe('invalid_token')
  })
})
