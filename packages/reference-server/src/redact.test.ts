import { describe, expect, it } from 'vitest'
import { createRedactor, redactUrl } from './redact.js'

describe('redactUrl', () => {
  it.each([
    ['postgres://leash:secret@db:5432/leash', 'postgres://leash:***@db:5432/leash'],
    ['postgres://leash:p%40ss%3Aw@db/leash?schema=x', 'postgres://leash:***@db/leash?schema=x'],
    ['redis://:secret@cache:6379/2', 'redis://:***@cache:6379/2'],
    ['rediss://default:secret@cache', 'rediss://default:***@cache'],
    // Not URLs at all, which is when a message echoes them: still nothing of the password.
    ['postgres://leash:sec@ret@db:port/leash', 'postgres://leash:***@db:port/leash'],
    ['leash:secret@db/leash', 'leash:***@db/leash'],
    ['redis://secret@cache', 'redis://***@cache'],
    [
      'postgres://db/leash?user=leash&password=secret&sslpassword=secret2',
      'postgres://db/leash?user=leash&password=***&sslpassword=***',
    ],
    // Nothing to hide.
    ['postgres://db:5432/leash', 'postgres://db:5432/leash'],
    ['mysql://x', 'mysql://x'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown)
  })
})

describe('createRedactor', () => {
  it('hides every password of the URLs, as written and percent-decoded, wherever it appears', () => {
    const scrub = createRedactor([
      'postgres://leash:p%40ss%3Aword@db/leash',
      'redis://:cache-secret@cache:6379',
      'postgres://db/x?password=query-secret',
      undefined,
    ])
    expect(scrub('auth p%40ss%3Aword failed; p@ss:word; cache-secret! query-secret')).toBe(
      'auth *** failed; ***; ***! ***',
    )
    expect(scrub('nothing here')).toBe('nothing here')
  })

  it('leaves text alone when the URLs carry no password, or one too short to tell from a word', () => {
    expect(createRedactor(['postgres://db/leash', undefined])('postgres://db/leash')).toBe(
      'postgres://db/leash',
    )
    expect(createRedactor(['redis://:a@cache'])('a cat')).toBe('a cat')
  })
})
