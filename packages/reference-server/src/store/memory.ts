import { ConflictError, LastAdminError } from '../errors.js'
import { losesAdmin } from './loses-admin.js'
import type {
  EndSessions,
  NoteRecord,
  RefreshTokenRecord,
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
  const sessions = new Map<string, SessionRecord>()
  const tokens = new Map<string, RefreshTokenRecord>()
  const notes: NoteRecord[] = []
  const meta = new Map<string, string>()

  const end = (s: SessionRecord, reason: SessionEndReason, now: number) => {
    if (s.endedAt !== null) return false
    s.endedAt = now
    s.endReason = reason
    return true
  }
  const endUserSessions = (userId: string, { reason, now }: EndSessions) => {
    for (const s of sessions.values()) if (s.userId === userId) end(s, reason, now)
  }

  return {
    kind: 'memory',
    async createUser(user) {
      const key = user.username.toLowerCase()
      if (usernames.has(key)) throw new ConflictError('username')
      users.set(user.id, { ...user })
      usernames.set(key, user.id)
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
      Object.assign(u, patch)
      if (endSessions) endUserSessions(id, endSessions)
      return { ...u }
    },
    async createSession(session, firstTokenHash) {
      sessions.set(session.id, { ...session })
      tokens.set(firstTokenHash, {
        hash: firstTokenHash,
        sessionId: session.id,
        issuedAt: session.createdAt,
        usedAt: null,
        useCount: 0,
      })
    },
    async findSession(id) {
      const s = sessions.get(id)
      return s ? { ...s } : null
    },
    async useRefreshToken(hash, now) {
      const t = tokens.get(hash)
      if (!t) return null
      t.useCount += 1
      t.usedAt ??= now
      return { ...t }
    },
    async rotateSession(sessionId, nextTokenHash, now) {
      const s = sessions.get(sessionId)
      if (!s || s.endedAt !== null) return false
      s.lastRefreshAt = now
      tokens.set(nextTokenHash, { hash: nextTokenHash, sessionId, issuedAt: now, usedAt: null, useCount: 0 })
      return true
    },
    async endSession(id, reason, now) {
      const s = sessions.get(id)
      return s ? end(s, reason, now) : false
    },
    async rotateGlobalEpoch(epoch, now) {
      meta.set('global_epoch', epoch)
      for (const s of sessions.values()) end(s, 'revoked', now)
    },
    async prune(before) {
      let n = 0
      for (const s of sessions.values()) {
        const over = s.endedAt !== null ? s.endedAt < before : s.absoluteExpiresAt < before
        if (!over) continue
        sessions.delete(s.id)
        n += 1
      }
      for (const t of tokens.values()) if (!sessions.has(t.sessionId)) tokens.delete(t.hash)
      return n
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
