import { ConfigError } from '../config.js'
import type { Env } from './env.js'
import { redactorFor } from './env.js'
import { startupFailure } from './main.js'
import { backupCommand, type CommandOutput, revokeAllCommand } from './ops-commands.js'

/** The operator's commands of `leash-server <command> …`, each configured by the same LEASH_* variables. */
export const commands: Record<string, (env: Env, args: readonly string[]) => Promise<CommandOutput>> = {
  backup: backupCommand,
  'revoke-all': revokeAllCommand,
}

export const usage = [
  'usage: leash-server                serve (configured by the LEASH_* environment)',
  '       leash-server backup <file>  copy the SQLite database, consistently, while it serves',
  '       leash-server revoke-all     end every session and access token of every user',
]

/**
 * Runs `leash-server <name> …args` to completion: what to print on stdout and stderr and the exit code
 * (1 for a bad argument or setting, with the same redacted `leash: …` message as a failed start).
 */
export async function runCommand(
  name: string,
  args: readonly string[],
  env: Env,
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  if (name === '--help' || name === 'help') return { code: 0, stdout: usage, stderr: [] }
  const command = commands[name]
  if (!command) return { code: 1, stdout: [], stderr: [`leash: unknown command "${name}"`, ...usage] }
  try {
    const scrub = redactorFor(env)
    return { code: 0, stdout: (await command(env, args)).map(scrub), stderr: [] }
  } catch (error) {
    const message =
      error instanceof ConfigError && error.message.startsWith('usage:')
        ? error.message
        : startupFailure(error, env)
    return { code: 1, stdout: [], stderr: [message] }
  }
}
