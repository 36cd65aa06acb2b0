import { ConflictError, LastAdminError } from '../errors.js'
import { createEventLog } from './audit-log.js'
import { losesAdmin } from './loses-admin.js'
import { createOutboxLog } from './outbox-log.js'
import { planRefresh } from './refresh-rule.js'

import type {
  AccountTokenPurpose,
  AccountTokenRecord,
  EndSessions,
  Liveness,
  NoteRecord,
  RefreshFamily,
  SessionCap,
  SessionEndReason,
  SessionRecord,
  Store,
  UserPatch,
  UserRecord,
} from './types.js'

/** A store in process memory: for tests and the msw form. Each method runs without awaiting, so it is atomic. */
export function createMemoryStore(): Store {
  const users = new Map<string, UserRecord>()
  const usernames = new Map<string, string>()
  /** User ids by lower-cased email. */
  const emails = new Map<string, string>()
  const accountTokens = new Map<string, AccountTokenRecord>()
  const sessions = new Map<string, SessionRecord>()
  /** The refresh tokens each family still needs, by hash → its session; where each family stands, by session. */
  const tokens = new Map<string, string>()
  const families = new Map<string, RefreshFamily>()
  const notes: NoteRecord[] = []
  const meta = new Map<string, string>()
  const audit = createEventLog()
  const outbox = createOutboxLog()
  const endedSession = (time: number, id: string) => outbox.add(time, [{ kind: 'session', id }])

  const end = (s: SessionRecord, reason: SessionEndReason, now: number) => {
    if (s.endedAt !== null) return false
    s.endedAt = now
    s.endReason = reason
    return true
  }
  const isLive = (s: SessionRecord, { now, idleTimeoutMs }: Liveness) =>
    s.endedAt === null && now < s.absoluteExpiresAt && now < s.lastRefreshAt + idleTimeoutMs
  /** The user's live sessions (but the new one) beyond the cap, least recently used first. */
  const overCap = (session: SessionRecord, cap: SessionCap) => {
    const others = [...sessions.values()].filter(
      (s) => s.userId === session.userId && s.id !== session.id && isLive(s, cap),
    )
    const over = others.length - (cap.max - 1)
    if (over <= 0) return []
    // Least recently used first: the idle clock, then the sign-in, then the id.
    others.sort(
      (a, b) => a.lastRefreshAt - b.lastRefreshAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1),
    )
    return others.slice(0, over)
  }
  const endUserSessions = (userId: string, { reason, now }: EndSessions) => {
    for (const s of sessions.values()) if (s.userId === userId) end(s, reason, now)
  }
  const dropTokens = (userId: string, purpose: AccountTokenPurpose) => {
    for (const [hash, t] of accountTokens)
      if (t.userId === userId && t.purpose === purpose) accountTokens.delete(hash)
  }
  /** The token if it is of `purpose`, live at `now`, and its user's email is still its address. */
  const liveToken = (hash: string, purpose: AccountTokenPurpose, now: number) => {
    const t = accountTokens.get(hash)
    if (!t || t.purpose !== purpose || now >= t.expiresAt) return undefined
    return users.get(t.userId)?.email?.toLowerCase() === t.email ? t : undefined
  }
  const patchUser = (u: UserRecord, patch: UserPatch, endSessions?: EndSessions) => {
    Object.assign(u, patch)
    if (patch.passwordHash !== undefined) dropTokens(u.id, 'reset_password')
    if (endSessions) endUserSessions(u.id, endSessions)
  }

  return {
    kind: 'memory',
    async createUser(given, events = []) {
      // Callers in plain JavaScript (bench/, scripts/) may leave the email fields out.
      const user = { ...given, email: given.email ?? null, emailVerified: given.emailVerified ?? false }
      const key = user.username.toLowerCase()
      const email = user.email?.toLowerCase()
      if (usernames.has(key)) throw new ConflictError('username')
      if (email !== undefined && emails.has(email)) throw new ConflictError('email')
      audit.check(events)
      audit.add(events)
      users.set(user.id, { ...user })
      usernames.set(key, user.id)
      if (email !== undefined) emails.set(email, user.id)
      return { ...user }
    },
    async findUserById(id) {
      const u = users.get(id)
      return u ? { ...u } : null
    },
    async findUserByUsername(username) {
      const id = usernames.get(username.toLowerCase())
      const u = id === undefined ? undefined : users.get(id)
      return u ? { ...u } : null
    },
    async findUserByEmail(email) {
      const id = emails.get(email.toLowerCase())
      const u = id === undefined ? undefined : users.get(id)
      return u ? { ...u } : null
    },
    async listUsers() {
      return [...users.values()].sort((a, b) => a.createdAt - b.createdAt).map((u) => ({ ...u }))
    },
    async updateUser(id, patch: UserPatch, endSessions, options) {
      const u = users.get(id)
      if (!u) return null
      if (options?.keepAnAdmin && losesAdmin(u, patch)) {
        const others = [...users.values()].some((o) => o.id !== id && o.role === 'admin' && o.enabled)
        if (!others) throw new LastAdminError()
      }
      audit.check(options?.audit ?? [])
      audit.add(options?.audit ?? [])
      patchUser(u, patch, endSessions)
      outbox.add(endSessions?.now ?? Date.now(), [{ kind: 'user', id }])
      return { ...u }
    },
    async issueAccountToken(token, events = []) {
      audit.check(events)
      audit.add(events)
      dropTokens(token.userId, token.purpose)
      accountTokens.set(token.hash, { ...token })
    },
    async findAccountToken(hash, purpose, now) {
      const t = liveToken(hash, purpose, now)
      return t ? { ...t } : null
    },
    async spendAccountToken(hash, purpose, now, effect) {
      // No await from the check to the write: one spend of a token at a time.
      const t = liveToken(hash, purpose, now)
      const u = t && users.get(t.userId)
      if (!u) return null
      const after = { ...u, ...effect.patch }
      const written = effect.audit?.(after) ?? []
      audit.check(written)
      audit.add(written)
      accountTokens.delete(hash)
      patchUser(u, effect.patch, effect.end)
      outbox.add(now, [{ kind: 'user', id: u.id }])
      return { ...u }
    },
    async createSession(session, firstTokenHash, cap, events) {
      // Decided before anything is written: an event that cannot be written leaves nothing changed.
      const ended = cap ? overCap(session, cap) : []
      const written = events?.(ended.map((s) => s.id)) ?? []
      audit.check(written)
      audit.add(written)
      sessions.set(session.id, { ...session })
      tokens.set(firstTokenHash, session.id)
      families.set(session.id, {
        current: firstTokenHash,
        previous: null,
        previousUsedAt: null,
        retried: false,
      })
      for (const s of ended) end(s, 'revoked', cap!.now)
      for (const s of ended) endedSession(cap!.now, s.id)
      return ended.map((s) => s.id)
    },
    async findSession(id) {
      const s = sessions.get(id)
      return s ? { ...s } : null
    },
    async findRefreshFamily(hash) {
      const id = tokens.get(hash)
      const s = id === undefined ? undefined : sessions.get(id)
      return s ? { session: { ...s }, family: { ...families.get(s.id)! } } : null
    },
    async spendRefreshToken(hash, next, now, policy, family, events) {
      // No await between the read and the write: presentations of one family are judged one at a time.
      const id = tokens.get(hash) ?? family ?? undefined
      const s = id === undefined ? undefined : sessions.get(id)
      if (!s) return null
      const plan = planRefresh({ ...s }, families.get(s.id)!, hash, next, now, policy)
      const written = events?.({ verdict: plan.verdict, session: { ...plan.session } }) ?? []
      audit.check(written)
      audit.add(written)
      if (plan.changed) {
        if (s.endedAt === null && plan.session.endedAt !== null) endedSession(now, s.id)
        sessions.set(s.id, plan.session)
        families.set(s.id, plan.family)
        if (plan.family.current !== null) tokens.set(plan.family.current, s.id)
        if (plan.dropped !== null) tokens.delete(plan.dropped)
      }
      return { verdict: plan.verdict, session: { ...plan.session } }
    },
    async setAuthTime(id, at, events = []) {
      const s = sessions.get(id)
      if (!s || s.endedAt !== null) return null
      audit.check(events)
      audit.add(events)
      s.authTime = at
      return { ...s }
    },
    async endSession(id, reason, now, events = []) {
      const s = sessions.get(id)
      if (!s || s.endedAt !== null) return false
      audit.check(events)
      audit.add(events)
      endedSession(now, id)
      return end(s, reason, now)
    },
    async listSessions(userId, live) {
      return [...sessions.values()]
        .filter((s) => s.userId === userId && isLive(s, live))
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .slice(0, live.limit)
        .map((s) => ({ ...s }))
    },
    async endUserSession(userId, id, reason, live, events = []) {
      const s = sessions.get(id)
      if (s === undefined || s.userId !== userId || !isLive(s, live)) return false
      audit.check(events)
      audit.add(events)
      endedSession(live.now, id)
      return end(s, reason, live.now)
    },
    async rotateGlobalEpoch(epoch, now, events = []) {
      audit.check(events)
      audit.add(events)
      meta.set('global_epoch', epoch)
      for (const s of sessions.values()) end(s, 'revoked', now)
      outbox.add(now, [{ kind: 'all' }])
    },
    async pruneEvents(before, limit) {
      return audit.prune(before, limit)
    },
    async prune(before, limit = Number.POSITIVE_INFINITY) {
      let n = 0
      for (const s of sessions.values()) {
        if (n >= limit) break
        const over = s.endedAt !== null ? s.endedAt < before : s.absoluteExpiresAt < before
        if (!over) continue
        sessions.delete(s.id)
        n += 1
      }
      for (const [hash, id] of tokens) if (!sessions.has(id)) tokens.delete(hash)
      for (const id of families.keys()) if (!sessions.has(id)) families.delete(id)
      return n
    },
    async outboxSeq() {
      return outbox.seq()
    },
    async outboxAfter(after, limit) {
      return outbox.after(after, limit)
    },
    async pruneOutbox(before, limit) {
      return outbox.prune(before, limit)
    },
    async recordEvents(events) {
      audit.check(events)
      audit.add(events)
    },
    async listEvents(query) {
      return audit.list(query)
    },
    async listNotes(userId) {
      return notes.filter((n) => n.userId === userId).map((n) => ({ ...n }))
    },
    async addNote(note) {
      notes.push({ ...note })
      return { ...note }
    },
    async getMeta(key) {
      return meta.get(key) ?? null
    },
    async initMeta(key, value) {
      if (!meta.has(key)) meta.set(key, value)
      return meta.get(key)!
    },
    async ping() {},
    async close() {},
  }
}
