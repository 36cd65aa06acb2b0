import { type ErrorCode, errorTable } from '@leash/protocol'
import { beforeAll, describe, expect, it } from 'vitest'
import { violations } from '../test/json-schema.js'
import { type Exchange, scriptedRun } from '../test/wire-run.js'
import { openApiDocument } from './document.js'

// Real responses held to the document: a scripted run through the app (every endpoint, every error code
// the server can answer), each response checked against the schema documented for its operation and status.

type Response = { headers?: Record<string, unknown>; content: { 'application/json': { schema: object } } }
type Doc = { paths: Record<string, Record<string, { responses: Record<string, Response> }>> }

const doc = JSON.parse(JSON.stringify(openApiDocument({ cookieName: 'leash_refresh' }))) as Doc
const templates = Object.keys(doc.paths).map((path) => ({
  path,
  pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
}))

/** The documented operation a request reached, if any. */
const operationOf = (e: Exchange) => {
  const template = templates.find((t) => t.pattern.test(e.path) && doc.paths[t.path]![e.method.toLowerCase()])
  return template && { path: template.path, op: doc.paths[template.path]![e.method.toLowerCase()]! }
}
const label = (e: Exchange) => `${e.method} ${e.path} → ${e.status} ${JSON.stringify(e.body).slice(0, 160)}`
const codeOf = (e: Exchange) => (e.body as { error?: { code?: ErrorCode } } | undefined)?.error?.code

let exchanges: Exchange[]
beforeAll(async () => {
  exchanges = await scriptedRun()
})

describe('a scripted run through the app, held to /openapi.json', () => {
  it('every response is documented for its operation and status, and its body conforms', () => {
    expect(exchanges.length).toBeGreaterThan(60)
    for (const e of exchanges) {
      const found = operationOf(e)
      if (!found) {
        // Only a path the app does not route: 404 not_found, in the shared error body.
        expect(codeOf(e), label(e)).toBe('not_found')
        expect(violations({ $ref: '#/components/schemas/ErrorBody' }, e.body, doc), label(e)).toEqual([])
        continue
      }
      const documented = found.op.responses[String(e.status)]
      expect(documented, `undocumented status: ${label(e)}`).toBeDefined()
      expect(violations(documented!.content['application/json'].schema, e.body, doc), label(e)).toEqual([])
      for (const header of Object.keys(documented!.headers ?? {}))
        if (header !== 'Set-Cookie') expect(e.headers.has(header), `${header}: ${label(e)}`).toBe(true)
    }
  })

  it('every success the document promises was answered at least once', () => {
    const seen = new Set(
      exchanges.map((e) => `${e.method.toLowerCase()} ${operationOf(e)?.path} ${e.status}`),
    )
    for (const [path, byMethod] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(byMethod))
        for (const status of Object.keys(op.responses).filter(
          (s) => Number(s) < 400 || (path === '/readyz' && s === '503'),
        ))
          expect(seen, `${method} ${path} ${status}`).toContain(`${method} ${path} ${status}`)
  })

  it('every code of the table was answered, each with the table’s status and message, and no other code', () => {
    const answered = new Map<string, Exchange>()
    for (const e of exchanges.filter((x) => x.status >= 400 && codeOf(x) !== undefined)) {
      const code = codeOf(e)!
      expect(Object.keys(errorTable), label(e)).toContain(code)
      expect(e.status, label(e)).toBe(errorTable[code].status)
      expect((e.body as { error: { message: string } }).error.message, label(e)).toBe(
        errorTable[code].message,
      )
      answered.set(code, e)
    }
    expect([...answered.keys()].sort()).toEqual(Object.keys(errorTable).sort())
  })

  it('user_enabled: true on every authenticated success, false with user_disabled and only then', () => {
    for (const e of exchanges) {
      const body = e.body as { user_enabled?: boolean } | undefined
      if (codeOf(e) === 'user_disabled') expect(body?.user_enabled, label(e)).toBe(false)
      else if (e.status >= 400) expect(body?.user_enabled, label(e)).toBeUndefined()
      else if (
        operationOf(e)?.op &&
        e.path.match(
          /^\/(api|admin)\/|^\/auth\/(login|refresh|logout|reauthenticate|password$|me|sessions|email\/resend)/,
        )
      )
        expect(body?.user_enabled, label(e)).toBe(true)
    }
  })
})
