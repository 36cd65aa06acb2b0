import { describe, expect, it } from 'vitest'
import { sha256 } from './random.js'
import { createRefreshTokens } from './refresh-token.js'

// Refresh tokens name their family with a tag only the server can make (see refresh-token.ts).

const SID = '0f8fad5b-d9cb-469f-a165-70867728950e'

describe('refresh tokens', () => {
  const tokens = createRefreshTokens(sha256, 'a-global-secret-of-at-least-32-bytes!!')

  it('name their session, carry 256 random bits, and stay base64url', async () => {
    const a = await tokens.issue(SID)
    const b = await tokens.issue(SID)
    expect(a).toMatch(/^[A-Za-z0-9_-]{107}$/)
    expect(a).not.toBe(b)
    expect(a.slice(0, 43)).not.toBe(b.slice(0, 43))
    expect(a.slice(43)).toBe(b.slice(43)) // the family's part
    expect(await tokens.familyOf(a)).toBe(SID)
  })

  it('cannot be made for a family without globalSecret', async () => {
    const genuine = await tokens.issue(SID)
    const otherServer = createRefreshTokens(sha256, 'another-global-secret-of-32-bytes-or-more')
    expect(await tokens.familyOf(await otherServer.issue(SID))).toBeNull()
    // Another session id with this family's tag, a flipped tag digit, a changed length: no family.
    const otherSid = `${'1'.repeat(32)}`
    expect(await tokens.familyOf(`${genuine.slice(0, 43)}${otherSid}${genuine.slice(75)}`)).toBeNull()
    const flipped = genuine.slice(0, -1) + (genuine.endsWith('0') ? '1' : '0')
    expect(await tokens.familyOf(flipped)).toBeNull()
    expect(await tokens.familyOf(`${genuine}a`)).toBeNull()
    expect(await tokens.familyOf(genuine.toUpperCase())).toBeNull()
  })

  it('tokens from before tags, and ids that are not UUIDs, name no family', async () => {
    expect(await tokens.familyOf('x'.repeat(43))).toBeNull()
    const plain = await tokens.issue('not-a-uuid')
    expect(plain).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await tokens.familyOf(plain)).toBeNull()
  })
})
