/** One mail: both bodies, so every client shows it (the HTML one escapes whatever the user chose). */
export interface MailMessage {
  to: string
  subject: string
  text: string
  html: string
}

/**
 * Sends mail. The core never opens a socket: the Node server passes an SMTP one (`createSmtpMailer` in
 * `@leash/reference-server/node`), the msw form an in-memory one (`createMemoryMailer`). A rejection is
 * retried by the outbox (mail/outbox.ts) and never reaches a response.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>
}

/** A mail as the memory mailer keeps it: the message, when it was sent, and the link it carries. */
export interface SentMail extends MailMessage {
  /** Epoch milliseconds. */
  at: number
  /** The first link with a `token` query parameter in the text body, or null. */
  link: string | null
  /** That link's `token`, or null. */
  token: string | null
}

/** A mailer that keeps what it is given, in memory, readable; for tests and the msw form. */
export interface MemoryMailer extends Mailer {
  /** Every mail sent, oldest first. */
  readonly messages: readonly SentMail[]
  /** The newest mail to this address (ignoring case), or to anyone when none is given. */
  last(to?: string): SentMail | undefined
  clear(): void
}

const TOKEN_LINK = /https?:\/\/[^\s<>"]+[?&]token=([A-Za-z0-9_-]+)/

/**
 * Keeps every mail in memory, with the link it carries.
 * @example
 * const mailbox = createMemoryMailer()
 * createApp({ store, globalSecret, mailer: mailbox, linkOrigin: 'https://app.example' })
 * // … after POST /auth/password/forgot:
 * mailbox.last('alice@example.com')?.token
 */
export function createMemoryMailer(now: () => number = Date.now): MemoryMailer {
  const messages: SentMail[] = []
  return {
    messages,
    async send(message) {
      const match = TOKEN_LINK.exec(message.text)
      messages.push({ ...message, at: now(), link: match?.[0] ?? null, token: match?.[1] ?? null })
    },
    last(to) {
      const wanted = to?.toLowerCase()
      for (let i = messages.length - 1; i >= 0; i--) {
        if (wanted === undefined || messages[i]!.to.toLowerCase() === wanted) return messages[i]
      }
      return undefined
    },
    clear() {
      messages.length = 0
    },
  }
}
