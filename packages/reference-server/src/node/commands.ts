import { ConfigError } from '../config.js'
import type { Env } from './env.js'
import { redactorFor } from './env.js'
import { runKeysCli } from './keys-cli.js'
import { startupFailure } from './main.js'
import { backupCommand, type CommandOutput, revokeAllCommand } from './ops-commands.js'

/** The operator's commands of `leash-server <command> …`, each configured by the same LEASH_* variables. */
export const commands: Record<string, (env: Env, args: readonly string[]) => Promise<CommandOutput>> = {
  backup: backupCommand,
  'revoke-all': revokeAllCommand,
  // Its own usage, exit codes and output: see keys-cli.ts.
  keys: async (env, args) => {
    const lines: string[] = []
    const code = await runKeysCli([...args], env, (line) => lines.push(line))
    if (code !== 0) throw new CommandFailed(code, lines)
    return lines
  },
}

/** A command that printed its own explanation and exits with `code`. */
class CommandFailed extends Error {
  constructor(
    readonly code: number,
    readonly lines: string[],
  ) {
    super(lines.join('\n'))
  }
}

export const usage = [
  'usage: leash-server                serve (configured by the LEASH_* environment)',
  '       leash-server backup <file>  copy the SQLite database, consistently, while it serves',
  '       leash-server revoke-all     end every session and access token of every user',
  '       leash-server keys …         list, add, use or retire signing keys kept in PostgreSQL',
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
    if (error instanceof CommandFailed) return { code: error.code, stdout: [], stderr: error.lines }
    const message =
      error instanceof ConfigError && error.message.startsWith('usage:')
        ? error.message
        : startupFailure(error, env)
    return { code: 1, stdout: [], stderr: [message] }
  }
}
