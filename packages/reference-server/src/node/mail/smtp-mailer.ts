import type { Mailer } from '../../mail/mailer.js'
import { mailDriver } from '../drivers.js'

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  url: string
  /** The `From` of every mail: `Leash <no-reply@example.com>`. */
  from: string
  /** Bound on connecting, on the greeting and on each socket wait (ms, default 10 000). */
  timeoutMs?: number
}

/**
 * Account mail over SMTP with `nodemailer` (an optional peer, loaded on first use: a server that sends no
 * mail never installs it). Each mail has a text and an HTML body. A failure rejects, and the outbox
 * (mail/outbox.ts) retries it; nothing of it reaches a response.
 * @example
 * const mailer = createSmtpMailer({ url: 'smtp://127.0.0.1:2525', from: 'Leash <no-reply@localhost>' })
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer & { close(): void } {
  const timeout = options.timeoutMs ?? 10_000
  const transport = mailDriver().createTransport({
    url: options.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  })
  return {
    async send({ to, subject, text, html }) {
      await transport.sendMail({ from: options.from, to, subject, text, html })
    },
    close: () => transport.close(),
  }
}
