// Progress for long CLI work. On a TTY: a cli-progress bar; otherwise (pipes, CI logs) a plain
// line every few seconds, so logs stay readable. With --json nothing is drawn: stdout carries the
// result and stderr stays quiet for scripts. Progress always goes to stderr, never stdout.
import cliProgress from 'cli-progress';

export interface ProgressOptions {
  /** Known amount of work; absent = open-ended (counts only). */
  total?: number;
  /** What is counted, e.g. "records" or "orders". */
  label: string;
  /** True when the command prints JSON: progress stays silent. */
  json: boolean;
  /** Where to draw (default process.stderr); tests pass their own stream. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Milliseconds between plain lines (default 5000). */
  plainEveryMs?: number;
  /** Clock for the plain-line cadence (default Date.now); progress is display only, never a result. */
  now?: () => number;
}

export interface Progress {
  /** Count n more units of work done. */
  tick(n?: number): void;
  /** Stop drawing and print one summary line (unless --json). */
  done(summaryLine: string): void;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.json) return { tick: () => undefined, done: () => undefined };
  if (stream.isTTY === true) return barProgress(options, stream);
  return plainProgress(options, stream);
}

function barProgress(options: ProgressOptions, stream: NodeJS.WritableStream): Progress {
  const known = options.total !== undefined;
  const bar = new cliProgress.SingleBar({
    stream,
    format: known
      ? `${options.label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`
      : `${options.label} {value} | {duration_formatted}`,
    hideCursor: true,
    clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(options.total ?? 0, 0);
  let count = 0;
  return {
    tick(n = 1) {
      count += n;
      bar.update(count);
    },
    done(summaryLine: string) {
      bar.stop();
      stream.write(`${summaryLine}\n`);
    },
  };
}

function plainProgress(options: ProgressOptions, stream: NodeJS.WritableStream): Progress {
  const now = options.now ?? Date.now;
  const every = options.plainEveryMs ?? 5000;
  let count = 0;
  let lastLine = now();
  return {
    tick(n = 1) {
      count += n;
      const t = now();
      if (t - lastLine < every) return;
      lastLine = t;
      const of = options.total === undefined ? '' : `/${options.total}`;
      stream.write(`${options.label}: ${count}${of}\n`);
    },
    done(summaryLine: string) {
      stream.write(`${summaryLine}\n`);
    },
  };
}
