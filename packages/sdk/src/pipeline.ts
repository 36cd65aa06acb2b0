import type {} from 'axios'
import { type LeashError, toLeashError } from './errors.js'

/** Per-request options: `leash.http.get(url, { leash: { background: true } })`, `leash.fetch(url, { leash })`. */
export interface LeashRequestOptions {
  /** Send without a token and leave the session alone (public endpoints). */
  skipAuth?: boolean
  /** Not the user's doing (polling): does not count as activity, so an idle session stays idle. */
  background?: boolean
}

// here, beside the type the public index exports, so every consumer of @leash/sdk gets it
declare module 'axios' {
  interface AxiosRequestConfig {
    /** Leash options for this request. */
    leash?: LeashRequestOptions
  }
}

/** What the pipeline asks of the client. */
export interface PipelineDeps {
  /** The token to send (refreshing first if due), or null without a live session. */
  token(background?: boolean): Promise<string | null>
  /** After a 401 on `used`: resolves once a newer token is in place, or throws the error to reject with. */
  recover(used: string, background: boolean | undefined, error: LeashError): Promise<void>
  /** A response said `user_enabled: false`: disable the session, return the error to reject with. */
  disabled(): LeashError
  /** Whether a request to this absolute or relative URL is the API's (see origins.ts). */
  trusts(url: string): boolean
}

/**
 * Tells of a refusal that asks for a recent sign-in (with how to send the request again); true if it was one.
 * Such a 401 gets no refresh (a refresh keeps the sign-in time) and no retry of the transport's own.
 */
export type Stale = (error: LeashError, retry: () => Promise<unknown>) => boolean

/** An answer as both transports see it (an axios response or error, or a fetch response read as JSON). */
export interface Answer {
  response?: { status: number; data?: unknown }
}

/**
 * What the transport does next: `true`, send again with the newer token; `false`, settle with the API's
 * answer; `undefined`, settle with another origin's answer, which says nothing about the session.
 */
export type Verdict = boolean | undefined

/**
 * The rules every transport follows (axios interceptors, `leash.fetch`), written once: the token goes only
 * to trusted origins; only their answers are believed; `user_enabled: false` ends the session; a 401 on a
 * token that was sent gets one refresh and one retry.
 */
export function createPipeline(deps: PipelineDeps, stale: Stale) {
  const trusts = (url: string | undefined) => url !== undefined && deps.trusts(url)
  return {
    trusts,
    /** The token for a request to `url`: null for another origin or `skipAuth` (no refresh, no activity). */
    token: async (url: string | undefined, o: LeashRequestOptions = {}) =>
      o.skipAuth || !trusts(url) ? null : deps.token(o.background),
    /**
     * Judges an answer to a request to `url` sent with `used`; throws the session's error when it has one.
     * `retry` sends the request again, for a refusal that asks for a recent sign-in.
     */
    async judge(
      url: string | undefined,
      answer: Answer,
      used: string | null | undefined,
      retried: boolean | undefined,
      o: LeashRequestOptions = {},
      retry?: () => Promise<unknown>,
    ): Promise<Verdict> {
      // what another origin says about our session (401, user_enabled: false) is not believed
      if (!trusts(url)) return
      const res = answer.response
      if ((res?.data as { user_enabled?: unknown } | null)?.user_enabled === false) throw deps.disabled()
      // no token sent (none held, or `skipAuth`): the 401 says nothing of the session
      if (res?.status !== 401 || !used) return false
      const error = toLeashError(answer)
      if (stale(error, retry!) || retried) return false
      await deps.recover(used, o.background, error)
      return true
    },
  }
}

export type Pipeline = ReturnType<typeof createPipeline>
