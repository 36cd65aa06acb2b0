import type { MailMessage } from './mailer.js'

/** Text as HTML text: the five characters that could open markup or end an attribute. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** `origin` + `path` with the token as its `token` query parameter. */
export function linkTo(origin: string, path: string, token: string): string {
  const url = new URL(path, origin)
  url.searchParams.set('token', token)
  return url.toString()
}

interface Mail {
  to: string
  username: string
  link: string
}

const html = (lines: string[], link: string, action: string) =>
  `<!doctype html><html><body>${lines.map((l) => `<p>${l}</p>`).join('')}<p><a href="${escapeHtml(link)}">${action}</a></p></body></html>`

/** The mail with a verification link (valid `hours`). */
export function verificationMail({ to, username, link }: Mail, hours: number): MailMessage {
  const intro = `Hello ${username},`
  const body = `Follow this link within ${hours} hours to confirm that this address is yours. It works once.`
  const unasked = 'If you did not create an account, ignore this mail.'
  return {
    to,
    subject: 'Confirm your email address',
    text: `${intro}\n\n${body}\n\n${link}\n\n${unasked}\n`,
    html: html([escapeHtml(intro), escapeHtml(body), escapeHtml(unasked)], link, 'Confirm this address'),
  }
}

/** The mail with a password-reset link (valid `minutes`). */
export function resetMail({ to, username, link }: Mail, minutes: number): MailMessage {
  const intro = `Hello ${username},`
  const body = `Someone asked to reset the password of this account. Follow this link within ${minutes} minutes to choose a new one. It works once, and signs you out everywhere.`
  const unasked = 'If it was not you, ignore this mail: your password stays as it is.'
  return {
    to,
    subject: 'Reset your password',
    text: `${intro}\n\n${body}\n\n${link}\n\n${unasked}\n`,
    html: html([escapeHtml(intro), escapeHtml(body), escapeHtml(unasked)], link, 'Choose a new password'),
  }
}
