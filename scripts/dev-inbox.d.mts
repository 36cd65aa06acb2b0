/** A mail as the development inbox keeps it (newest first in `mails`). */
export interface InboxMail {
  from: string
  to: string
  subject: string
  /** ISO date. */
  date: string
  text: string
  html: string
}

export interface DevInbox {
  /** `smtp://127.0.0.1:<port>`: what LEASH_SMTP_URL takes. */
  smtpUrl: string
  /** The page listing the mail, with its links; `/mail.json` is the same as JSON. */
  pageUrl: string
  /** The newest 200 mails, newest first. */
  mails: InboxMail[]
  /** How many mails arrived since start. */
  received(): number
  close(): Promise<void>
}

/** Starts the SMTP server and the page; resolves once both listen (port 0: any free port). */
export function startDevInbox(options?: {
  smtpPort?: number
  httpPort?: number
  host?: string
}): Promise<DevInbox>
