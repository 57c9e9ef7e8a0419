// Shared CLI output: errors as one clear sentence with a meaningful exit code, JSON printing.
import { LoyaltyError } from '../engine/errors.ts';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 } as const;

/** An error meant for the person at the terminal: its message is printed as is. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.FAILED) {
    super(message);
    this.name = 'CliError';
  }
}

export function reportAndExit(err: unknown, verbose: boolean): never {
  const code = err instanceof CliError ? err.exitCode
    : err instanceof LoyaltyError ? (err.unreachable ? EXIT.UNREACHABLE : err.usage ? EXIT.USAGE : EXIT.FAILED)
      : EXIT.FAILED;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`loyalty: ${message}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(code);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
