import type { ErrorCode } from '@leash/protocol'
import type { queries } from '../schemas/queries.js'
import type { requests } from '../schemas/requests.js'
import type { ResponseName } from '../schemas/responses.js'

/** Who may call: each entry is one way in; `optional` means the cookie may be absent (a token in the body). */
export type Auth = 'bearer' | 'refresh cookie' | 'optional'

/** One endpoint as the OpenAPI document describes it. */
export interface Operation {
  id: string
  method: 'get' | 'post' | 'patch' | 'delete'
  /** As Hono routes it (`/admin/users/:id`). */
  path: string
  summary: string
  auth: Auth[]
  request?: { schema: keyof typeof requests; required: boolean }
  /** Its query parameters: the fields of this schema, each optional. */
  query?: keyof typeof queries
  /** Every answer that is not an error body, by status. */
  ok: Partial<Record<200 | 201 | 503, ResponseName | 'OpenApiDocument'>>
  /** Sets or clears the refresh cookie. */
  cookie?: 'sets' | 'clears'
  /**
   * The error codes it can answer, beyond the two every endpoint can: `internal_error`, and on POST, PATCH
   * and DELETE `payload_too_large` (the body limit runs before any route).
   */
  errors: ErrorCode[]
}

/** The body and the bearer checks' codes, as `@leash/protocol` lists them (each operation adds its own). */
export { BEARER_CHECKS, BODY_CHECKS } from '@leash/protocol'
