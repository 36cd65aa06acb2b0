import { expect, test } from 'vitest'
import { createOriginPolicy } from './origins.js'

const page = { href: 'https://app.example.com/notes/1?x=1' }

test('a relative baseURL is the page origin; the auth origin and allowedOrigins are trusted too', () => {
  const policy = createOriginPolicy(
    '/api/',
    'https://auth.example.com/v1',
    ['https://files.example.com'],
    page,
  )
  expect(policy.origin).toBe('https://app.example.com')
  const trusted = [
    '/api/notes',
    'notes',
    'https://app.example.com/x',
    'https://auth.example.com/auth/refresh',
    'https://files.example.com/f',
  ]
  for (const url of trusted) expect(policy.trusts(url), url).toBe(true)
  const untrusted = [
    'https://evil.test/x',
    '//evil.test/x',
    'http://app.example.com/x', // another scheme is another origin
    'https://app.example.com:8443/x',
    'https://app.example.com.evil.test/x',
    'https://files.example.com.evil.test/x',
    'data:text/plain,x',
    'javascript:alert(1)',
    'http://[::1',
  ]
  for (const url of untrusted) expect(policy.trusts(url), url).toBe(false)
})

test('without a page (Node), relative URLs resolve against baseURL', () => {
  const absolute = createOriginPolicy('http://api.test/v1')
  expect(absolute.origin).toBe('http://api.test')
  expect(absolute.trusts('/notes')).toBe(true)
  expect(absolute.trusts('http://evil.test/notes')).toBe(false)
  const relative = createOriginPolicy('/')
  expect(relative.trusts('/api/notes')).toBe(true)
  expect(relative.trusts('http://api.test/api/notes')).toBe(false)
})

test('a baseURL that is not a URL, and allowedOrigins that are not origins, throw TypeErrors', () => {
  expect(() => createOriginPolicy('http://', undefined, [], page)).toThrow(TypeError)
  expect(() => createOriginPolicy('/', 'https://', [], page)).toThrow(TypeError)
  for (const entry of ['https://files.example.com/', 'files.example.com', 'https://*.example.com', 'null']) {
    expect(() => createOriginPolicy('/', undefined, [entry], page)).toThrow(
      /allowedOrigins entry .* is not an origin/,
    )
  }
})
