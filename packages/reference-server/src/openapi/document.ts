import { type ErrorCode, errorTable } from '@leash/protocol'
import { z } from 'zod'
import { queries } from '../schemas/queries.js'
import { requests } from '../schemas/requests.js'
import { responses } from '../schemas/responses.js'
import { type Auth, type Operation, operations } from './operations.js'

/** A JSON value as the document holds it. */
type Json = { [key: string]: unknown }

/** Where a component schema lives in the document. */
export const schemaRef = (name: string) => `#/components/schemas/${name}`

/** `/admin/users/:id` → `/admin/users/{id}` */
export const openApiPath = (honoPath: string) => honoPath.replace(/:(\w+)/g, '{$1}')

/**
 * The JSON Schemas of a set of zod schemas, each under its name, referring to each other by `$ref`.
 * Request bodies are described as the client sends them (`input`), responses as the server writes them.
 */
function componentSchemas(schemas: Record<string, z.ZodType>, io: 'input' | 'output') {
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id })
  const generated = z.toJSONSchema(registry, { io, uri: schemaRef }).schemas
  return Object.fromEntries(
    Object.entries(generated).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]),
  )
}

const SECURITY: Record<Auth, Json> = {
  bearer: { bearer: [] },
  'refresh cookie': { refreshCookie: [] },
  optional: {},
}

const retryAfter = { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } }
const wwwAuthenticate = {
  description:
    '`Bearer error="invalid_request"` when no token was sent, else `Bearer error="invalid_token"`.',
  schema: { type: 'string' },
}

/** The error responses of an operation, by status: the shared error body, its code narrowed to those listed. */
function errorResponses(op: Operation) {
  const codes: ErrorCode[] = [...op.errors, 'internal_error']
  if (op.method !== 'get') codes.push('payload_too_large')
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of new Set(codes)) {
    const { status } = errorTable[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => {
      const headers = {
        ...(status === 401 && { 'WWW-Authenticate': wwwAuthenticate }),
        ...((status === 429 || status === 503) && { 'Retry-After': retryAfter }),
      }
      const narrowed = { properties: { error: { properties: { code: { enum: list } } } } }
      return [
        String(status),
        {
          description: list.map((code) => `\`${code}\`: ${errorTable[code].message}`).join('\n'),
          ...(Object.keys(headers).length > 0 && { headers }),
          content: {
            'application/json': { schema: { allOf: [{ $ref: schemaRef('ErrorBody') }, narrowed] } },
          },
        },
      ]
    }),
  )
}

function operation(op: Operation, cookieName: string): Json {
  const ok = Object.entries(op.ok).map(([status, name]) => {
    const schema = name === 'OpenApiDocument' ? { type: 'object' } : { $ref: schemaRef(name) }
    const setCookie = op.cookie && {
      'Set-Cookie': {
        description:
          op.cookie === 'sets'
            ? `\`${cookieName}\`, HttpOnly, SameSite=Strict, with the cookie transport (never with the body one)`
            : `\`${cookieName}\` cleared (Max-Age=0)`,
        schema: { type: 'string' },
      },
    }
    return [
      status,
      {
        description: name,
        ...(setCookie && { headers: setCookie }),
        content: { 'application/json': { schema } },
      },
    ]
  })
  return {
    operationId: op.id,
    summary: op.summary,
    tags: [op.path.split('/')[1]],
    security: op.auth.map((way) => SECURITY[way]),
    ...((op.path.includes(':') || op.query) && {
      parameters: [
        ...[...op.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string' },
        })),
        ...queryParameters(op),
      ],
    }),
    ...(op.request && {
      requestBody: {
        required: op.request.required,
        content: { 'application/json': { schema: { $ref: schemaRef(op.request.schema) } } },
      },
    }),
    responses: { ...Object.fromEntries(ok), ...errorResponses(op) },
  }
}

/** The query string's fields as parameters, each optional, described by its own schema. */
function queryParameters(op: Operation): Json[] {
  if (!op.query) return []
  return Object.entries(queries[op.query].shape).map(([name, field]) => {
    const { $schema: _, description, ...schema } = z.toJSONSchema(field as z.ZodType, { io: 'input' })
    return { name, in: 'query', required: false, description, schema }
  })
}

/**
 * The OpenAPI 3.1 document of every endpoint, generated from the zod schemas the routes validate with and
 * the response schemas held to the wire types. `cookieName` is the refresh cookie's name under the
 * server's configuration (`__Host-leash_refresh` with the host prefix).
 */
export function openApiDocument(options: { cookieName: string }): Json {
  const paths: Record<string, Json> = {}
  for (const op of operations) {
    const path = openApiPath(op.path)
    paths[path] = { ...paths[path], [op.method]: operation(op, options.cookieName) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Leash',
      version: '1',
      description:
        'Revocable JWT sessions: the wire protocol of the Leash reference server (docs/protocol.md). ' +
        'Every error body is `{ error: { code, message, details? } }`; clients branch on the code.',
    },
    paths,
    components: {
      schemas: { ...componentSchemas(requests, 'input'), ...componentSchemas(responses, 'output') },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token (HS256, a key per user).',
        },
        refreshCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: options.cookieName,
          description: 'The refresh token, HttpOnly, when the session uses the cookie transport.',
        },
      },
    },
  }
}
