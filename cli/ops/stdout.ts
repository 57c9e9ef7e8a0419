// JSON lines to stdout for commands whose output is piped (`loyalty replay ... | head`): waits
// for the pipe to drain, and reports a closed pipe so the command stops reading instead of crashing.

export interface LineWriter {
  /** Writes one line; false once the reader has gone away. */
  write(line: string): Promise<boolean>;
}

export function stdoutLines(stream: NodeJS.WritableStream = process.stdout): LineWriter {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') closed = true;
    else throw err;
  });
  return {
    async write(line: string): Promise<boolean> {
      if (closed) return false;
      if (!stream.write(`${line}\n`)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stream.off('drain', done);
            stream.off('error', done);
            resolve();
          };
          stream.once('drain', done);
          stream.once('error', done);
        });
      }
      return !closed;
    },
  };
}
