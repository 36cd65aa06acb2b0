import { describe, expect, it } from 'vitest'
import { violations } from './json-schema.js'

// The check the OpenAPI tests rely on must be able to fail: each rule it knows, broken once.
const root = {
  components: {
    schemas: {
      User: {
        type: 'object',
        properties: {
          id: { type: 'string', minLength: 1 },
          role: { type: 'string', enum: ['user', 'admin'] },
        },
        required: ['id', 'role'],
        additionalProperties: false,
      },
      Error: {
        type: 'object',
        properties: { code: { type: 'string' }, n: { type: 'integer', minimum: 0, maximum: 9 } },
        required: ['code'],
      },
    },
  },
}
const user = { $ref: '#/components/schemas/User' }
const narrowed = {
  allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { code: { enum: ['a', 'b'] } } }],
}

describe('violations', () => {
  it('passes what conforms', () => {
    expect(violations(user, { id: 'u1', role: 'admin' }, root)).toEqual([])
    expect(violations(narrowed, { code: 'a', n: 3 }, root)).toEqual([])
    expect(violations({ type: 'array', items: user }, [], root)).toEqual([])
    expect(violations({ type: 'array', maxItems: 1 }, [1], root)).toEqual([])
  })

  it.each([
    ['a missing field', user, { id: 'u1' }],
    ['an extra field', user, { id: 'u1', role: 'user', admin: true }],
    ['a value outside the enum', user, { id: 'u1', role: 'root' }],
    ['a wrong type', user, { id: 1, role: 'user' }],
    ['a string too short', user, { id: '', role: 'user' }],
    ['a code outside the narrowed list', narrowed, { code: 'c' }],
    ['a number that is not an integer', narrowed, { code: 'a', n: 1.5 }],
    ['a number out of range', narrowed, { code: 'a', n: 10 }],
    ['an item that breaks the item schema', { type: 'array', items: user }, [{ id: 'x' }]],
    ['too many items', { type: 'array', maxItems: 1 }, [1, 2]],
    ['a const', { const: true }, false],
    ['a pattern', { type: 'string', pattern: '^[^\\0]*$' }, 'a\0b'],
    ['no anyOf', { anyOf: [{ type: 'string' }, { type: 'null' }] }, 1],
  ])('refuses %s', (_what, schema, value) => {
    expect(violations(schema, value, root)).not.toEqual([])
  })

  it('throws on a keyword it does not know, and on a $ref that resolves to nothing', () => {
    expect(() => violations({ if: {} }, 1, root)).toThrow(/unsupported/)
    expect(() => violations({ $ref: '#/components/schemas/Nope' }, 1, root)).toThrow(/unresolved/)
  })
})
