import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** A real SMTP server on 127.0.0.1 that keeps every mail it accepts, parsed by mailparser. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, for LEASH_SMTP_URL. */
  url: string
  readonly mails: ParsedMail[]
  /** The first mail to `to` beyond the first `after` of them, once it has arrived. */
  next(to: string, after?: number): Promise<ParsedMail>
  /** How many mails to `to` arrived so far. */
  count(to: string): number
  /** Refuse the next `n` mails with a 451 (a temporary failure), to make the sender retry. */
  refuse(n: number): void
  close(): Promise<void>
}

const addressed = (mail: ParsedMail, to: string) =>
  [mail.to ?? []].flat().some((a) => a.value.some((v) => v.address?.toLowerCase() === to.toLowerCase()))

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ParsedMail[] = []
  const waiting = new Set<() => void>()
  let refusals = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      if (refusals > 0) {
        refusals -= 1
        stream.resume()
        stream.on('end', () => done(Object.assign(new Error('try again later'), { responseCode: 451 })))
        return
      }
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail)
          for (const wake of waiting) wake()
          done()
        },
        (error: Error) => done(error),
      )
    },
  })
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  const { port } = server.server.address() as AddressInfo
  const count = (to: string) => mails.filter((m) => addressed(m, to)).length
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    count,
    next: (to, after = 0) =>
      new Promise((found, fail) => {
        const look = () => {
          const mail = mails.filter((m) => addressed(m, to))[after]
          if (!mail) return
          waiting.delete(look)
          clearTimeout(timer)
          found(mail)
        }
        const timer = setTimeout(() => {
          waiting.delete(look)
          fail(new Error(`no mail to ${to} within 10 s`))
        }, 10_000)
        waiting.add(look)
        look()
      }),
    refuse(n) {
      refusals = n
    },
    close: () => new Promise((done) => server.close(() => done())),
  }
}
