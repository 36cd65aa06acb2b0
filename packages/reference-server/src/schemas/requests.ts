import type {
  LoginRequest,
  NewNoteRequest,
  PasswordChangeRequest,
  ReauthenticateRequest,
  RefreshRequest,
  RegisterRequest,
  RoleChangeRequest,
} from '@leash/protocol'
import { z } from 'zod'
import { text, withoutNul } from './text.js'
import { request } from './typed.js'

const username = text(3, 64).regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _ . @ - only')
const password = text(8, 256)
const transport = z.enum(['cookie', 'body'])

// Text must be well-formed Unicode: a lone surrogate would not read back as written.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Every request body, by its name in the OpenAPI document. The routes validate with these very schemas
 * (`readJson`), and each takes exactly its wire type.
 */
export const requests = {
  RegisterRequest: request<RegisterRequest>()(z.object({ username, password })),
  LoginRequest: request<LoginRequest>()(
    z.object({ username: text(1, 64), password: text(1, 256), refresh_transport: transport.optional() }),
  ),
  /** Refresh and logout: the refresh token in the body, or none (then the cookie's). */
  RefreshRequest: request<RefreshRequest>()(z.object({ refresh_token: text(1, 512).optional() })),
  PasswordChangeRequest: request<PasswordChangeRequest>()(
    z.object({
      current_password: text(1, 256),
      new_password: password,
      refresh_transport: transport.optional(),
    }),
  ),
  ReauthenticateRequest: request<ReauthenticateRequest>()(z.object({ password: text(1, 256) })),
  NewNoteRequest: request<NewNoteRequest>()(
    z.object({
      text: withoutNul(z.string().trim().min(1).max(2000)).refine(
        (t) => !LONE_SURROGATE.test(t),
        'must be well-formed Unicode text',
      ),
    }),
  ),
  RoleChangeRequest: request<RoleChangeRequest>()(z.object({ role: z.enum(['user', 'admin']) })),
}
