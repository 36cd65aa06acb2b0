// The development inbox `npm start` runs: an SMTP server on 127.0.0.1 that keeps every mail it is sent
// (in memory, the newest 200), and a page that lists them with their links. No mail leaves the machine,
// so the verification and password-reset flows work on a fresh clone with no outside service.
// Run alone: `node scripts/dev-inbox.mjs` (DEV_INBOX_SMTP_PORT, DEV_INBOX_PORT).
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

const KEPT = 200

const escapeHtml = (text) =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  )
/** The text body, escaped, with each http(s) URL made a link. */
const linked = (text) =>
  escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`)

function page(mails) {
  const rows = mails
    .map(
      (m) => `<article>
  <h2>${escapeHtml(m.subject)}</h2>
  <p class="meta">to ${escapeHtml(m.to)} · from ${escapeHtml(m.from)} · ${escapeHtml(m.date)}</p>
  <pre>${linked(m.text)}</pre>
</article>`,
    )
    .join('\n')
  return `<!doctype html><html><head><meta charset="utf-8"><title>Leash dev inbox</title>
<meta http-equiv="refresh" content="5">
<style>body{font:15px system-ui;margin:2rem auto;max-width:50rem;padding:0 1rem}article{border-top:1px solid #ccc;padding:.5rem 0}
.meta{color:#666;font-size:13px}pre{white-space:pre-wrap}</style></head>
<body><h1>Leash dev inbox</h1><p>${mails.length} mail(s), newest first. This page reloads every 5 s.</p>
${rows || '<p>No mail yet.</p>'}</body></html>`
}

/**
 * Starts the inbox; resolves once both servers listen.
 * @returns {Promise<{ smtpUrl: string, pageUrl: string, mails: object[], received(): number, close(): Promise<void> }>}
 */
export async function startDevInbox({ smtpPort = 2525, httpPort = 8025, host = '127.0.0.1' } = {}) {
  const mails = []
  let received = 0
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then(
        (mail) => {
          mails.unshift({
            from: mail.from?.text ?? '',
            to: mail.to
              ? [mail.to]
                  .flat()
                  .map((a) => a.text)
                  .join(', ')
              : '',
            subject: mail.subject ?? '',
            date: (mail.date ?? new Date()).toISOString(),
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          })
          mails.length = Math.min(mails.length, KEPT)
          received += 1
          done()
        },
        (error) => done(error),
      )
    },
  })
  const http = createServer((req, res) => {
    const json = req.url === '/mail.json'
    res.writeHead(200, {
      'content-type': json ? 'application/json' : 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The mails' own HTML is never rendered here: only their text, escaped.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    })
    res.end(json ? JSON.stringify(mails) : page(mails))
  })
  await new Promise((ready, fail) => smtp.listen(smtpPort, host, ready).once('error', fail))
  await new Promise((ready, fail) => http.listen(httpPort, host, ready).once('error', fail))
  return {
    smtpUrl: `smtp://${host}:${smtp.server.address().port}`,
    pageUrl: `http://${host}:${http.address().port}`,
    mails,
    /** How many mails arrived since start (the list keeps the newest 200). */
    received: () => received,
    close: () =>
      Promise.all([new Promise((done) => smtp.close(done)), new Promise((done) => http.close(done))]).then(
        () => {},
      ),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const inbox = await startDevInbox({
    smtpPort: Number(process.env.DEV_INBOX_SMTP_PORT ?? 2525),
    httpPort: Number(process.env.DEV_INBOX_PORT ?? 8025),
  })
  console.log(`dev inbox: SMTP ${inbox.smtpUrl}, mail at ${inbox.pageUrl}`)
}
