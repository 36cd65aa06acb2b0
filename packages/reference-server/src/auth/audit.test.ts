import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../log.js'
import { createMemoryStore } from '../store/memory.js'
import { AUDIT_BATCH, AUDIT_MAX_PENDING, createAudit, noContext } from './audit.js'

describe('the audit buffer', () => {
  it('drops (and logs) batches beyond AUDIT_MAX_PENDING while the store is behind', async () => {
    const logged: LogEntry[] = []
    let release = () => {}
    const stalled = new Promise<void>((go) => {
      release = go
    })
    const store = { ...createMemoryStore(), recordEvents: () => stalled }
    const audit = createAudit({ store, now: () => 0, log: (e) => logged.push(e) })
    for (let i = 0; i < AUDIT_BATCH * (AUDIT_MAX_PENDING + 2); i++) {
      audit.record(audit.event('login.failed', noContext, { code: 'invalid_credentials' }))
    }
    const lost = logged.filter((e) => e.msg === 'audit events lost')
    expect(lost.map((e) => e.count)).toEqual([AUDIT_BATCH, AUDIT_BATCH])
    release()
    await audit.flush()
  })
})
