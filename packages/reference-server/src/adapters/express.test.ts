import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { createMemoryStore } from '../store/memory.js'
import { closeServed, expressMount } from '../test/frameworks.js'
import { GLOBAL_SECRET } from '../test/harness.js'

// What only Express has; every case Express shares with Hono and Fastify is in adapter.conformance.test.ts.

afterEach(closeServed)

describe('leashRouter (Express)', () => {
  it('mounted after a body parser that read the body: an error for the app, naming the fix', async () => {
    const leash = createApp({
      store: createMemoryStore(),
      hasher: createPbkdf2Hasher(1_000),
      globalSecret: GLOBAL_SECRET,
    })
    const url = await expressMount(leash, '/identity', (app) => app.use(express.json()))
    const res = await fetch(`${url}/identity/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({
      host: 'error',
      message: expect.stringMatching(/mount leashRouter before it/),
    })
  })
})
