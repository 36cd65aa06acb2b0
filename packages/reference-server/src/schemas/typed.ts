import type { z } from 'zod'

/** True when A and B are one type: an extra optional field, or one optional on one side only, is not. */
type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false

/**
 * A response schema whose output is exactly the wire type `T` of `@leash/protocol`: when either drifts, the
 * call no longer compiles ("Expected 2 arguments"), so the OpenAPI document cannot describe another body.
 * @example const me = response<MeResponse>()(z.object({ … }))
 */
export const response =
  <T>() =>
  <S extends z.ZodType>(
    schema: S,
    ..._differs: Same<z.output<S>, T> extends true ? [] : ['the schema’s output is not the wire type']
  ) =>
    schema

/** A request schema that takes exactly the wire type `T` and hands the route exactly `T`. */
export const request =
  <T>() =>
  <S extends z.ZodType>(
    schema: S,
    ..._differs: Same<z.input<S>, T> extends true
      ? Same<z.output<S>, T> extends true
        ? []
        : ['the schema’s output is not the wire type']
      : ['the schema’s input is not the wire type']
  ) =>
    schema
