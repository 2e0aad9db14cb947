/**
 * Entry point of the `repokit` executable (built to dist/cli.js): wires {@link run} to the process.
 *
 * Exit status: 0 success, 1 data error, 2 usage error, 70 internal error (see cli.ts).
 */
import { run } from './cli.js';
import type { Io } from './output.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function processIo(): Io {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  };
}

// A closed pipe (`repokit rpm tags x.rpm | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await run(process.argv.slice(2), { io: processIo(), readStdin, isTTY: process.stderr.isTTY === true });
