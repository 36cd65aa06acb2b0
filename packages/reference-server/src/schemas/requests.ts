import type {
  ForgotPasswordRequest,
  LoginRequest,
  NewNoteRequest,
  PasswordChangeRequest,
  ReauthenticateRequest,
  RefreshRequest,
  RegisterRequest,
  ResetPasswordRequest,
  RoleChangeRequest,
  VerifyEmailRequest,
} from '@leash/protocol'
import { z } from 'zod'
import { text, withoutNul } from './text.js'
import { request } from './typed.js'

const username = text(3, 64).regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _ . @ - only')
const password = text(8, 256)
const transport = z.enum(['cookie', 'body'])
/**
 * One address, `local@domain`, and nothing a mail header could read as more: no whitespace or control
 * character (so no CR or LF), and none of `, ; < > " ( ) [ ] \ :`, with which one field could name several recipients.
 */
export const email = text(3, 254).regex(
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  /^[^\s\x00-\x1f\x7f@,;<>"()[\]\\:]+@[^\s\x00-\x1f\x7f@,;<>"()[\]\\:]+$/,
  'an email address like name@example.com',
)
/** A link's token as the server mints them: base64url. */
const linkToken = text(1, 128).regex(/^[A-Za-z0-9_-]+$/, 'the token of the link, as it came')

// Text must be well-formed Unicode: a lone surrogate would not read back as written.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Every request body, by its name in the OpenAPI document. The routes validate with these very schemas
 * (`readJson`), and each takes exactly its wire type.
 */
export const requests = {
  RegisterRequest: request<RegisterRequest>()(z.object({ username, password, email: email.optional() })),
  VerifyEmailRequest: request<VerifyEmailRequest>()(z.object({ token: linkToken })),
  ForgotPasswordRequest: request<ForgotPasswordRequest>()(z.object({ email })),
  ResetPasswordRequest: request<ResetPasswordRequest>()(z.object({ token: linkToken, password })),
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
