// The `loyalty` command. Every file in cli/commands/ is one command group and exports
// `register(program)`; they are discovered here so groups never edit a shared list.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { reportAndExit } from './output.ts';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

export async function buildProgram(): Promise<Command> {
  const program = new Command('loyalty')
    .description('loyalty-streams: real-time loyalty engine for quick-service restaurants (Kafka, Redis, ClickHouse)')
    .option('--verbose', 'print stack traces and debug logs')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Exit codes:
  0  success
  1  the command ran and failed (see the message)
  2  bad usage or input (flags, files, records)
  3  a component is unreachable (Kafka, Redis, schema registry, ClickHouse)`);
  const files = readdirSync(commandsDir).filter((f) => f.endsWith('.ts')).sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(commandsDir, file)).href)) as { register?: (p: Command) => void };
    if (typeof mod.register !== 'function') throw new Error(`cli/commands/${file} does not export register(program)`);
    mod.register(program);
  }
  return program;
}

// A reader that closes the pipe early (`loyalty consume … | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  const program = await buildProgram();
  await program.parseAsync(process.argv);
} catch (err) {
  reportAndExit(err, process.argv.includes('--verbose'));
}
