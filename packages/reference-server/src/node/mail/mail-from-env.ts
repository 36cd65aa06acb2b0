import { ConfigError, type ServerConfig } from '../../config.js'
import { redactUrl } from '../../redact.js'
import { type Env, parseUrl } from '../env.js'
import { createSmtpMailer } from './smtp-mailer.js'

/** `From` as one header line: a display name and an address, nothing that could start another header. */
const FROM = /^[^\r\n\0]{3,320}$/

/**
 * The mailer LEASH_SMTP_URL and LEASH_MAIL_FROM describe, or null when LEASH_SMTP_URL is not set (then
 * each account mail is logged as not sent, never with its link; `npm start` sets it to its development
 * inbox). Links are built from LEASH_PUBLIC_ORIGIN, so it is required with a mailer; so is a mailer with
 * LEASH_REQUIRE_VERIFIED_EMAIL, or no one could ever sign in.
 */
export function mailerFromEnv(env: Env, config: ServerConfig) {
  const raw = env.LEASH_SMTP_URL?.trim()
  if (!raw) {
    if (config.requireVerifiedEmail)
      throw new ConfigError(
        'LEASH_REQUIRE_VERIFIED_EMAIL=true needs LEASH_SMTP_URL: without mail no address can be verified',
      )
    return null
  }
  const url = parseUrl('LEASH_SMTP_URL', raw)
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new ConfigError(`LEASH_SMTP_URL must be smtp://… or smtps://…, got "${redactUrl(raw)}"`)
  if (config.publicOrigin === null)
    throw new ConfigError(
      'LEASH_SMTP_URL needs LEASH_PUBLIC_ORIGIN: the links in mail are built from it (never from a request’s Host)',
    )
  const from = env.LEASH_MAIL_FROM?.trim() || `Leash <no-reply@${new URL(config.publicOrigin).hostname}>`
  if (!FROM.test(from))
    throw new ConfigError(`LEASH_MAIL_FROM must be one line like "Leash <no-reply@example.com>"`)
  return createSmtpMailer({ url: raw, from })
}
