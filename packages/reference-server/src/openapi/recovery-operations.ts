import { BEARER_CHECKS, BODY_CHECKS, type Operation } from './operation.js'

// Email verification and password reset (routes/recovery.ts).

/** The operations of /auth/email/* and /auth/password/{forgot,reset}. */
export const recoveryOperations: Operation[] = [
  {
    id: 'verifyEmail',
    method: 'post',
    path: '/auth/email/verify',
    summary:
      'Follow a verification link: its `token` verifies the address it was mailed to. Works once, for 24 hours, and only the newest link.',
    auth: [],
    request: { schema: 'VerifyEmailRequest', required: true },
    ok: { 200: 'VerifyEmailResponse' },
    errors: [...BODY_CHECKS, 'rate_limited', 'invalid_verification_token', 'store_unavailable'],
  },
  {
    id: 'resendVerification',
    method: 'post',
    path: '/auth/email/resend',
    summary:
      'Mail a new verification link to the caller’s unverified address (older links stop working). Limited per hour.',
    auth: ['bearer'],
    ok: { 200: 'ResendVerificationResponse' },
    errors: [...BEARER_CHECKS, 'store_unavailable', 'nothing_to_verify', 'rate_limited'],
  },
  {
    id: 'forgotPassword',
    method: 'post',
    path: '/auth/password/forgot',
    summary:
      'Ask for a password-reset link. The same status, body and timing whether or not the address has an account; an enabled one gets a link (30 minutes, once). Limited per address asked for and per caller.',
    auth: [],
    request: { schema: 'ForgotPasswordRequest', required: true },
    ok: { 200: 'ForgotPasswordResponse' },
    errors: [...BODY_CHECKS, 'rate_limited'],
  },
  {
    id: 'resetPassword',
    method: 'post',
    path: '/auth/password/reset',
    summary:
      'Set a new password with a reset link’s `token`: every session and access token of the user dies, on every instance. A guessable password is refused (400, detail `password`) and the link still works.',
    auth: [],
    request: { schema: 'ResetPasswordRequest', required: true },
    ok: { 200: 'ResetPasswordResponse' },
    errors: [...BODY_CHECKS, 'rate_limited', 'server_busy', 'invalid_reset_token', 'store_unavailable'],
  },
]
