/** A structured log line; never holds a token, a password or a secret. */
export type LogEntry = Record<string, string | number | boolean | undefined>

/** The message of a store failure's underlying error, for a log line. */
export const causeText = (error: unknown): string =>
  String(((error as { cause?: unknown })?.cause as Error | undefined)?.message ?? error)
