import { errorTable } from '@leash/protocol'
import { describe, expect, it } from 'vitest'
import { testServer } from '../test/harness.js'
import { violations } from '../test/json-schema.js'
import { openApiDocument, openApiPath } from './document.js'

type Doc = {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, object>; securitySchemes: Record<string, Record<string, string>> }
}
type Operation = {
  operationId: string
  security: Record<string, string[]>[]
  requestBody?: { content: { 'application/json': { schema: object } } }
  responses: Record<string, { content: { 'application/json': { schema: object } } }>
}

const served = async (config = {}) => {
  const s = await testServer({ config })
  const res = await s.app.request('/openapi.json')
  return { s, res, doc: (await res.json()) as Doc }
}

/** Every method and path the app routes to a handler, as the document writes them; middleware left out. */
const routesOf = (routes: { method: string; path: string }[]) =>
  new Set(
    routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
  )

/** Every `$ref` in a JSON value. */
const refsIn = (value: unknown): string[] =>
  value && typeof value === 'object'
    ? Object.entries(value).flatMap(([k, v]) => (k === '$ref' ? [String(v)] : refsIn(v)))
    : []

describe('GET /openapi.json', () => {
  it('is served without auth, as OpenAPI 3.1', async () => {
    const { res, doc } = await served()
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument({ cookieName: 'leash_refresh' }))))
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info).toMatchObject({ title: 'Leash', version: '1' })
  })

  it('documents every route of the app, and no route the app lacks', async () => {
    const { s, doc } = await served()
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    )
    const routed = routesOf(s.app.routes)
    expect(routed.size).toBeGreaterThan(15)
    expect([...documented].sort()).toEqual([...routed].sort())
  })

  it('is well formed: unique operation ids, resolvable $refs, known security schemes, a body for every answer', async () => {
    const { doc } = await served()
    const ops = Object.values(doc.paths).flatMap((byMethod) => Object.values(byMethod))
    expect(new Set(ops.map((op) => op.operationId)).size).toBe(ops.length)
    for (const ref of refsIn(doc)) {
      expect(ref).toMatch(/^#\/components\/schemas\//)
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined()
    }
    for (const op of ops) {
      for (const requirement of op.security)
        for (const scheme of Object.keys(requirement))
          expect(doc.components.securitySchemes[scheme]).toBeDefined()
      const statuses = Object.keys(op.responses).map(Number)
      expect(
        statuses.some((s) => s < 300),
        op.operationId,
      ).toBe(true)
      for (const r of Object.values(op.responses)) expect(r.content['application/json'].schema).toBeDefined()
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.components.securitySchemes.refreshCookie).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'leash_refresh',
    })
  })

  it('names the refresh cookie the server sets: __Host-leash_refresh with the host prefix', async () => {
    const { doc } = await served({ cookieHostPrefix: true, secureCookies: true })
    expect(doc.components.securitySchemes.refreshCookie!.name).toBe('__Host-leash_refresh')
  })

  it('every error response refers to the one error schema, whose codes are the protocol table’s', async () => {
    const { doc } = await served()
    const errorBody = doc.components.schemas.ErrorBody as { properties: { error: { properties: object } } }
    expect(errorBody.properties.error.properties).toMatchObject({ code: { enum: Object.keys(errorTable) } })
    for (const [path, byMethod] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(byMethod))
        for (const [status, r] of Object.entries(op.responses)) {
          if (Number(status) < 400 || (path === '/readyz' && status === '503')) continue
          const schema = r.content['application/json'].schema as {
            allOf: [{ $ref: string }, { properties: { error: { properties: { code: { enum: string[] } } } } }]
          }
          expect(schema.allOf[0].$ref, `${method} ${path} ${status}`).toBe('#/components/schemas/ErrorBody')
          for (const code of schema.allOf[1].properties.error.properties.code.enum)
            expect(errorTable[code as keyof typeof errorTable].status).toBe(Number(status))
        }
  })
})

describe('request bodies: the document refuses what the route refuses', () => {
  // POST /auth/register validates before anything else; a body the schema takes gets past 400.
  const bodies: unknown[] = [
    { username: 'dora', password: 'dora-password' },
    { username: 'do', password: 'dora-password' },
    { username: 'd'.repeat(65), password: 'dora-password' },
    { username: 'do ra', password: 'dora-password' },
    { username: 'do\0ra', password: 'dora-password' },
    { username: 'dora', password: 'short' },
    { username: 'dora', password: 'pass\0word-long' },
    { username: 'dora' },
    { username: 5, password: 'dora-password' },
    { username: 'dora2', password: 'dora-password', extra: 'ignored' },
    [],
  ]
  it.each(bodies.map((b) => [JSON.stringify(b), b]))('%s', async (_name, body) => {
    const { s, doc } = await served()
    const schema = doc.paths['/auth/register']!.post!.requestBody!.content['application/json'].schema
    const res = await s.json('POST', '/auth/register', body)
    const refused = res.status === 400 && (await res.json()).error.code === 'invalid_request'
    expect(violations(schema, body, doc).length > 0).toBe(refused)
  })
})
