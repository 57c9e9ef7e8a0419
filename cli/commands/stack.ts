// `loyalty stack up|down|status`: the local real stack (Kafka, Redis, schema registry, chDB).
import type { Command } from 'commander';
import { stackDown, stackStatus, stackUp, type StackStatus } from '../../stack/index.ts';
import { CliError, EXIT, printJson } from '../output.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`--kafka-port must be a TCP port (1-65535), got "${value}"`, EXIT.USAGE);
  return port;
}

function printStatus(status: StackStatus): void {
  for (const c of status.components) {
    const health = c.skipped ? 'skipped' : c.healthy ? 'healthy' : 'UNHEALTHY';
    const pid = c.pid === null ? '' : ` pid ${c.pid}${c.startedByStack ? '' : ' (external)'}`;
    process.stdout.write(`${c.name.padEnd(9)} ${health.padEnd(9)} ${c.endpoint ?? '-'}${pid}  ${c.detail}\n`);
  }
  process.stdout.write(`state: ${status.stateFile}\n`);
}

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export function register(program: Command): void {
  const stack = program.command('stack').description('the local real stack: Kafka (KRaft), Redis, schema registry, embedded ClickHouse (chDB)')
    .addHelpText('after', `
Examples:
  loyalty stack up                   start what is not running, reuse what is; writes .loyalty/stack.json
  loyalty stack up --kafka-port 19092
  loyalty stack status --json        health of each component, for scripts
  loyalty stack down                 stop only the processes the stack started`);

  stack.command('up').description('start the stack (idempotent) and wait until every component is healthy')
    .option('--kafka-port <port>', 'Kafka listener port (default: kept from the last start, else a free port)', parsePort)
    .option('--json', 'print the resulting stack state as JSON')
    .action(async (opts: { kafkaPort?: number; json?: boolean }) => {
      const started = Date.now();
      const result = await stackUp({ kafkaPort: opts.kafkaPort, log: progress });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (opts.json) {
        printJson({ ...result, seconds: Number(seconds) });
        return;
      }
      const status = await stackStatus();
      printStatus(status);
      process.stdout.write(`stack up in ${seconds} s (started: ${result.started.join(', ') || 'none'}; reused: ${result.reused.join(', ') || 'none'})\n`);
      if (!status.healthy) throw new CliError('the stack came up but a component is unhealthy (see above)', EXIT.UNREACHABLE);
    });

  stack.command('down').description('stop the processes the stack started (by pid); the machine\'s Redis and all data are kept')
    .option('--json', 'print what was stopped as JSON')
    .action(async (opts: { json?: boolean }) => {
      const result = await stackDown({ log: progress });
      if (opts.json) printJson(result);
      else process.stdout.write(`stack down: stopped ${result.stopped.join(', ') || 'nothing (nothing of ours was running)'}\n`);
    });

  stack.command('status').description('print each component and its health; exit code 3 when one is unhealthy')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { json?: boolean }) => {
      const status = await stackStatus();
      if (opts.json) printJson(status);
      else printStatus(status);
      if (!status.healthy) process.exitCode = EXIT.UNREACHABLE;
    });
}
