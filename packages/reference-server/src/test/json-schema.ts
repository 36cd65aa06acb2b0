/**
 * A small JSON Schema (2020-12) check for the subset the OpenAPI document uses, so tests can hold real
 * responses to the document without a validator dependency. A keyword it does not know throws rather than
 * passing silently: the document cannot grow a rule these tests would ignore.
 */

export type Schema = boolean | object

/** Keywords that describe and constrain nothing. */
const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'deprecated', 'format'])

const typeOf = (value: unknown) => {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

const isType = (value: unknown, type: string) => {
  const actual = typeOf(value)
  return actual === type || (type === 'number' && actual === 'integer')
}

/**
 * The ways `value` breaks `schema`, each as `path: what` (none when it conforms). `$ref`s are resolved
 * against `root` (`#/components/schemas/Name`).
 */
export function violations(schema: Schema, value: unknown, root: unknown, path = '$'): string[] {
  if (schema === true) return []
  if (schema === false) return [`${path}: nothing is allowed here`]
  const keywords = schema as Record<string, unknown>
  const out: string[] = []
  const sub = (s: unknown, v: unknown, p: string) => violations(s as Schema, v, root, p)
  for (const [keyword, arg] of Object.entries(keywords)) {
    const a = arg as never
    switch (keyword) {
      case '$ref': {
        const target = String(arg)
          .replace(/^#\//, '')
          .split('/')
          .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root)
        if (target === undefined) throw new Error(`unresolved $ref ${String(arg)}`)
        out.push(...sub(target, value, path))
        break
      }
      case 'allOf':
        for (const s of a as unknown[]) out.push(...sub(s, value, path))
        break
      case 'anyOf':
        if (!(a as unknown[]).some((s) => sub(s, value, path).length === 0))
          out.push(`${path}: matches no anyOf`)
        break
      case 'oneOf':
        if ((a as unknown[]).filter((s) => sub(s, value, path).length === 0).length !== 1)
          out.push(`${path}: matches not exactly one oneOf`)
        break
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [String(arg)]
        if (!types.some((t) => isType(value, t)))
          out.push(`${path}: ${typeOf(value)}, not ${types.join('|')}`)
        break
      }
      case 'const':
        if (JSON.stringify(value) !== JSON.stringify(arg))
          out.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(arg)}`)
        break
      case 'enum':
        if (!(a as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(value)))
          out.push(`${path}: ${JSON.stringify(value)} is none of ${JSON.stringify(arg)}`)
        break
      case 'properties':
        if (typeOf(value) === 'object')
          for (const [key, s] of Object.entries(a as Record<string, unknown>))
            if (key in (value as object))
              out.push(...sub(s, (value as Record<string, unknown>)[key], `${path}.${key}`))
        break
      case 'required':
        if (typeOf(value) === 'object')
          for (const key of a as string[])
            if (!(key in (value as object))) out.push(`${path}.${key}: missing`)
        break
      case 'additionalProperties':
        if (typeOf(value) === 'object') {
          const known = Object.keys((keywords.properties ?? {}) as object)
          for (const [key, v] of Object.entries(value as object))
            if (!known.includes(key)) out.push(...sub(arg, v, `${path}.${key}`))
        }
        break
      case 'items':
        if (Array.isArray(value))
          for (const [i, v] of value.entries()) out.push(...sub(arg, v, `${path}[${i}]`))
        break
      case 'maxItems':
        if (Array.isArray(value) && value.length > a) out.push(`${path}: more than ${a} items`)
        break
      case 'minLength':
        if (typeof value === 'string' && [...value].length < a) out.push(`${path}: shorter than ${a}`)
        break
      case 'maxLength':
        if (typeof value === 'string' && [...value].length > a) out.push(`${path}: longer than ${a}`)
        break
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(a, 'u').test(value))
          out.push(`${path}: does not match ${a}`)
        break
      case 'minimum':
        if (typeof value === 'number' && value < a) out.push(`${path}: below ${a}`)
        break
      case 'maximum':
        if (typeof value === 'number' && value > a) out.push(`${path}: above ${a}`)
        break
      default:
        if (!ANNOTATIONS.has(keyword))
          throw new Error(`unsupported JSON Schema keyword ${keyword} at ${path}`)
    }
  }
  return out
}
