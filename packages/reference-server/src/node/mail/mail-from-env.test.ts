import { describe, expect, it } from 'vitest'
import { ConfigError, configFromEnv } from '../../config.js'
import { redactorFor } from '../env.js'
import { mailerFromEnv } from './mail-from-env.js'

// LEASH_SMTP_URL, LEASH_MAIL_FROM and what they need: a bad value is a ConfigError at start that names
// the variable (and never shows the SMTP password); without a mailer no mail is sent, and requiring
// verified emails then is refused, or no one could sign in.

const from = (env: Record<string, string>) => {
  try {
    return mailerFromEnv(env, configFromEnv(env))
  } catch (error) {
    return error as Error
  }
}

describe('mailerFromEnv', () => {
  it('no LEASH_SMTP_URL: no mailer', () => {
    expect(from({})).toBeNull()
  })

  it('a mailer needs LEASH_PUBLIC_ORIGIN, an smtp(s) URL and a one-line From', () => {
    const smtp = 'smtp://user:s3cret@mail.example:587'
    const refused = [
      from({ LEASH_SMTP_URL: smtp }),
      from({ LEASH_SMTP_URL: 'http://user:s3cret@mail.example', LEASH_PUBLIC_ORIGIN: 'https://app.example' }),
      from({
        LEASH_SMTP_URL: smtp,
        LEASH_PUBLIC_ORIGIN: 'https://app.example',
        LEASH_MAIL_FROM: 'a\r\nBcc: x@y',
      }),
    ]
    for (const error of refused) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).toMatch(/^LEASH_(SMTP_URL|MAIL_FROM) /)
      expect((error as Error).message).not.toContain('s3cret')
    }
    const mailer = from({ LEASH_SMTP_URL: smtp, LEASH_PUBLIC_ORIGIN: 'https://app.example' })
    expect(mailer).toHaveProperty('send')
    ;(mailer as { close(): void }).close()
  })

  it('LEASH_REQUIRE_VERIFIED_EMAIL=true without a mailer is refused', () => {
    const error = from({ LEASH_REQUIRE_VERIFIED_EMAIL: 'true' })
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(/^LEASH_REQUIRE_VERIFIED_EMAIL=true needs LEASH_SMTP_URL/)
  })

  it('the log hides the SMTP password', () => {
    const scrub = redactorFor({ LEASH_SMTP_URL: 'smtps://mailer:pa55word@mail.example' })
    expect(scrub('connect failed: smtps://mailer:pa55word@mail.example')).not.toContain('pa55word')
  })
})

describe('the recovery settings', () => {
  it('read LEASH_RECOVERY_RATE and the page paths; bad values name their variable', () => {
    const config = configFromEnv({ LEASH_RECOVERY_RATE: '3', LEASH_RESET_PASSWORD_PATH: '/account/reset' })
    expect(config).toMatchObject({
      recoveryRate: 3,
      resetPasswordPath: '/account/reset',
      verifyEmailPath: '/verify-email',
    })
    for (const [name, value] of [
      ['LEASH_RESET_PASSWORD_PATH', '//evil.example/x'],
      ['LEASH_VERIFY_EMAIL_PATH', 'https://evil.example/'],
      ['LEASH_VERIFY_EMAIL_PATH', '/verify?x=1'],
      ['LEASH_RECOVERY_RATE', '0'],
      ['LEASH_REQUIRE_VERIFIED_EMAIL', 'maybe'],
    ] as const)
      expect(() => configFromEnv({ [name]: value })).toThrow(new RegExp(`^${name} must`))
  })
})
