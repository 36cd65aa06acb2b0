import type { ZxcvbnFactory } from '@zxcvbn-ts/core'

/**
 * A new password (register, password change) is refused when an attacker would find it among their first
 * `MIN_GUESSES` guesses (NIST SP 800-63B 5.1.1.2: no password from a list of common or compromised ones,
 * no repetitive or sequential characters, none made of context-specific words such as the username).
 * 10^6 is zxcvbn's line between "very guessable" (score 1: stands up only to a throttled online attack)
 * and "somewhat guessable": everything in its common-password list (about 30,000 entries) scores below
 * it, with the usual variations (capitals, l33t, a digit or year appended), as do keyboard walks, dates
 * and repeats; a login budget that some thousands of addresses share could go through it in days.
 * No composition rule (NIST advises against them): `alice-password` passes, `password1` does not.
 */
export const MIN_GUESSES = 1e6

/**
 * Only this many leading characters are estimated: zxcvbn's matching grows faster than the length (a
 * crafted 256-character password took 3 s of the event loop; 32 characters stay under ~100 ms), and a
 * password whose first 32 characters are weak is a weak pattern repeated or padded.
 */
export const CHECKED_LENGTH = 32

/** l33t substitutions tried per match: the default (100) is what makes crafted inputs slow. */
const L33T_SUBSTITUTIONS = 8

let estimator: Promise<ZxcvbnFactory> | undefined

/**
 * zxcvbn with the common dictionaries (passwords, diceware words) and keyboard layouts, loaded on first
 * use, once per process (0.3–0.9 s, 6 MiB of heap, 20–25 MiB RSS): importing the server costs nothing,
 * and a browser bundle of the msw form gets it as a chunk of its own. A failed load is tried again at the
 * next call.
 */
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(
    ([core, common]) =>
      new core.ZxcvbnFactory({
        dictionary: common.dictionary,
        graphs: common.adjacencyGraphs,
        maxLength: CHECKED_LENGTH,
        l33tMaxSubstitutions: L33T_SUBSTITUTIONS,
      }),
    (error: unknown) => {
      estimator = undefined
      throw error
    },
  )
  return estimator
}

/**
 * Why `password` may not be the new password of `username`, as the message of an `invalid_request`
 * detail; null when it may. Refused: whitespace only, one character repeated, the username (whatever its
 * case), or fewer than `MIN_GUESSES` estimated guesses with the username among the words tried.
 * @example await passwordProblem('password1', 'alice') // 'is too common or too easy to guess…'
 */
export async function passwordProblem(password: string, username: string): Promise<string | null> {
  if (password.trim() === '') return 'must not be only whitespace'
  const chars = [...password]
  if (chars.every((ch) => ch === chars[0])) return 'must not be one character repeated'
  if (password.toLowerCase() === username.toLowerCase()) return 'must not be the username'
  const zxcvbn = await loadEstimator()
  const { guesses } = zxcvbn.check(password, [username])
  if (guesses < MIN_GUESSES)
    return 'is too common or too easy to guess: use a longer phrase, or words that do not belong together'
  return null
}
