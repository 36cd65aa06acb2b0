import { describe, expect, it } from 'vitest'
import { CHECKED_LENGTH, passwordProblem } from './password-policy.js'

// The policy on its own: what it refuses, and that the repository's own passwords (seeds, demo, tests,
// bench, examples) pass.

describe('passwordProblem', () => {
  it.each([
    ['password', 'alice'],
    ['12345678', 'alice'],
    ['qwertyuiop', 'alice'],
    ['password1', 'alice'],
    ['P@ssw0rd', 'alice'],
    ['iloveyou', 'alice'],
    ['monkey123', 'alice'],
    ['1q2w3e4r', 'alice'],
    ['zaq12wsx', 'alice'],
    ['abc12345', 'alice'],
    ['        ', 'alice'],
    ['\t \n \t \n', 'alice'],
    ['aaaaaaaa', 'alice'],
    ['ëëëëëëëë', 'alice'],
    ['😀😀😀😀', 'alice'],
    ['carol_the_great', 'carol_the_great'],
    ['CAROL_THE_GREAT', 'carol_the_great'],
    ['alice12345', 'alice'],
    ['19900101', 'alice'],
    // Weak within the first CHECKED_LENGTH characters: a weak pattern padded stays weak.
    ['password'.repeat(8), 'alice'],
  ])('refuses %j (username %j)', async (password, username) => {
    expect(await passwordProblem(password, username)).toEqual(expect.any(String))
  })

  it.each([
    // The demo's seeds (scripts/start.mjs), the test harness's users, the SDK's and the bench's.
    'alice-password',
    'bob-password',
    'admin-password',
    'root-password',
    'carol-password',
    'dave-password',
    'another-password',
    'alice-password-2',
    'alice-new-password',
    'bob-new-password',
    'a-new-password',
    'bench-password',
    'load-password',
    'erin-password',
    // Long passphrases and random strings.
    'correct horse battery staple',
    'Tr0ub4dor&3',
    'xkcdqzpt',
    'aB3$'.repeat(3) + 'kQ9!zW'.repeat(40),
  ])('accepts %j', async (password) => {
    expect(await passwordProblem(password, 'alice')).toBeNull()
  })

  it(`stays quick on a crafted long password (only the first ${CHECKED_LENGTH} characters are estimated)`, async () => {
    await passwordProblem('warm-up-password', 'alice')
    for (const unit of ['p@ssw0rd', 'a1', '1234567890', '4@1!3$0|7+']) {
      const started = performance.now()
      await passwordProblem(unit.repeat(256 / unit.length), 'alice')
      // Several seconds each with the whole 256 characters estimated; a loaded CI machine gets slack.
      expect(performance.now() - started).toBeLessThan(1000)
    }
  })
})
