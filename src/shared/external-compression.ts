/**
 * lzop (`.lzo`) and lrzip (`.lrz`) through the external `lzop` and `lrzip` programs, the way
 * libarchive (and so pacman and bsdtar) handles them. The programs are run with
 * `node:child_process` (through `process.getBuiltinModule`, when first needed); where that or the
 * program is missing, the result is UNSUPPORTED_COMPRESSION naming the program to install.
 *
 * Decoding streams: input is written to the program's stdin as it reads it, output is handed on
 * as the consumer pulls it (at most 64 KiB at a time), counted, and the program is killed as soon
 * as the output passes `maxOutput` (LIMIT_EXCEEDED), the signal aborts, or the consumer stops. A
 * non-zero exit is CORRUPT_COMPRESSED_DATA with the program's message.
 *
 * Encoding reads from stdin and writes to stdout (`lzop -c`, `lrzip`), so no file name goes into
 * the output. lzop still stores the modification time of its stdin, which for a pipe is the
 * moment it was written to: repokit sets that field to 0 (and the header checksum to match), so
 * both programs write the same bytes for the same input and level.
 */
import { concatBytes } from './bytes.js';
import { RepokitError } from './errors.js';
import { crc32 } from './lzip.js';

/** The compressions repokit handles by running a program. */
export type ExternalCompression = 'lzop' | 'lrzip';

/** The program each external compression needs, and its arguments. */
const PROGRAMS: Record<ExternalCompression, { program: string; decode: readonly string[]; encode: (level: number) => string[] }> = {
  // lzop: -d decompress, -c to stdout, -q quiet; reads stdin when given no file.
  lzop: { program: 'lzop', decode: ['-d', '-c', '-q'], encode: (level) => ['-c', '-q', `-${level}`] },
  // lrzip: reads stdin / writes stdout when they are not terminals; -L is the level.
  lrzip: { program: 'lrzip', decode: ['-d', '-q'], encode: (level) => ['-q', '-L', String(level)] },
};

type ChildProcessModule = typeof import('node:child_process');
type ChildProcess = import('node:child_process').ChildProcessWithoutNullStreams;

/** Keep at most this much of the program's stderr for the error message. */
const STDERR_KEEP = 4096;
const PIECE = 64 * 1024;

function childProcess(kind: ExternalCompression): ChildProcessModule {
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:child_process') as ChildProcessModule | undefined;
  if (mod === undefined) {
    throw new RepokitError('UNSUPPORTED_COMPRESSION', `${kind} data needs the ${PROGRAMS[kind].program} program, which cannot be run in this runtime (no node:child_process)`);
  }
  return mod;
}

function missing(kind: ExternalCompression, e: unknown): RepokitError {
  const program = PROGRAMS[kind].program;
  return new RepokitError('UNSUPPORTED_COMPRESSION', `${kind} needs the ${program} program on PATH, and it could not be run: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** A running program with its exit awaited and its stderr tail kept. */
class Run {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  #stderr = '';
  #spawnError: unknown;
  readonly #kind: ExternalCompression;

  constructor(kind: ExternalCompression, args: readonly string[]) {
    this.#kind = kind;
    const cp = childProcess(kind);
    this.child = cp.spawn(PROGRAMS[kind].program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (s: string) => {
      this.#stderr = (this.#stderr + s).slice(-STDERR_KEEP);
    });
    // A program that exits early closes its stdin: writes then fail with EPIPE, which the exit
    // status reports better.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.#spawnError ??= e;
        resolve({ code: null, signal: null });
      });
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
  }

  /** The error for a run that did not exit with status 0 (undefined when it did). */
  failure(status: { code: number | null; signal: string | null }, what: 'decompress' | 'compress'): RepokitError | undefined {
    if (this.#spawnError !== undefined) return missing(this.#kind, this.#spawnError);
    if (status.code === 0) return undefined;
    const program = PROGRAMS[this.#kind].program;
    const msg = this.#stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join('; ') || 'no message';
    const how = status.code !== null ? `exited with status ${status.code}` : `was killed by ${String(status.signal)}`;
    if (what === 'compress') return new RepokitError('IO_ERROR', `${program} ${how} while compressing: ${msg}`);
    return new RepokitError('CORRUPT_COMPRESSED_DATA', `${this.#kind} data could not be decompressed: ${program} ${how}: ${msg}`);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Write chunks to a writable with back-pressure, then end it. */
async function feed(stdin: ChildProcess['stdin'], chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, stop: () => boolean): Promise<void> {
  for await (const c of chunks) {
    if (stop() || stdin.destroyed) return;
    if (!stdin.write(c)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdin.off('drain', done);
          stdin.off('close', done);
          stdin.off('error', done);
          resolve();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
        stdin.on('error', done);
      });
    }
  }
  if (!stdin.destroyed) stdin.end();
}

/** Options of {@link externalDecode}. */
export interface ExternalDecodeOptions {
  maxOutput: number;
  signal?: AbortSignal | undefined;
}

/**
 * Decompress `chunks` (lzop or lrzip data) with the external program, yielding its output in
 * chunks of at most 64 KiB. See the module comment for the limits.
 */
export async function* externalDecode(kind: ExternalCompression, chunks: AsyncIterable<Uint8Array>, options: ExternalDecodeOptions): AsyncGenerator<Uint8Array> {
  const { maxOutput, signal } = options;
  signal?.throwIfAborted();
  const run = new Run(kind, PROGRAMS[kind].decode);
  let stopped = false;
  let inputError: unknown;
  const onAbort = (): void => run.kill();
  signal?.addEventListener('abort', onAbort, { once: true });
  const feeding = feed(run.child.stdin, chunks, () => stopped).catch((e: unknown) => {
    inputError = e;
    run.kill();
  });
  let total = 0;
  try {
    for await (const c of run.child.stdout as AsyncIterable<Uint8Array>) {
      signal?.throwIfAborted();
      if (inputError !== undefined) throw inputError;
      total += c.length;
      if (total > maxOutput) {
        throw new RepokitError('LIMIT_EXCEEDED', `decompressed data is larger than maxOutput (${maxOutput} bytes)`);
      }
      const v = new Uint8Array(c.buffer, c.byteOffset, c.length);
      for (let at = 0; at < v.length; at += PIECE) yield v.subarray(at, Math.min(v.length, at + PIECE));
    }
    await feeding;
    signal?.throwIfAborted();
    if (inputError !== undefined) throw inputError;
    const status = await run.exited;
    const failure = run.failure(status, 'decompress');
    if (failure !== undefined) throw failure;
  } catch (e) {
    // A spawn failure also ends stdout early: report the missing program, not a side effect.
    run.kill();
    const status = await run.exited;
    const failure = run.failure(status, 'decompress');
    if (failure?.code === 'UNSUPPORTED_COMPRESSION') throw failure;
    throw e;
  } finally {
    stopped = true;
    signal?.removeEventListener('abort', onAbort);
    run.kill();
    run.child.stdout.destroy();
    // Not awaiting the feeder: it may be waiting for a slow input; it stops at its next step.
  }
}

/**
 * Compress with the external program (`lzop -c -q -<level>`, `lrzip -q -L <level>`), from stdin
 * to stdout. Throws UNSUPPORTED_COMPRESSION when the program cannot be run, IO_ERROR when it fails.
 */
export async function externalEncode(kind: ExternalCompression, parts: readonly Uint8Array[], level: number): Promise<Uint8Array> {
  const run = new Run(kind, PROGRAMS[kind].encode(level));
  const out: Uint8Array[] = [];
  // Plain views of the Buffer chunks, so callers get a Uint8Array whichever way concatBytes goes.
  run.child.stdout.on('data', (c: Uint8Array) => out.push(new Uint8Array(c.buffer, c.byteOffset, c.length)));
  const feeding = feed(run.child.stdin, parts, () => false).catch(() => undefined);
  const status = await run.exited;
  await feeding;
  const failure = run.failure(status, 'compress');
  if (failure !== undefined) throw failure;
  const bytes = concatBytes(out);
  if (kind === 'lzop') withoutLzopTime(bytes);
  return bytes;
}

/**
 * Sets the modification time in an lzop file header to 0 and rewrites the header checksum
 * (Adler-32, or CRC-32 with the F_H_CRC32 flag, over the header from the version to the end of
 * the name), in place. A header it does not know is left as it is.
 */
export function withoutLzopTime(b: Uint8Array): void {
  const u16 = (at: number): number => (b[at]! << 8) | b[at + 1]!;
  const u32 = (at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  if (b.length < 9 + 25) return;
  const version = u16(9);
  let p = 13 + (version >= 0x0940 ? 2 : 0);
  p += 1 + (version >= 0x0940 ? 1 : 0); // method, level
  const flags = u32(p);
  p += 4;
  if ((flags & 0x800) !== 0) p += 4; // F_H_FILTER
  p += 4; // mode
  const time = p;
  const timeBytes = version >= 0x0940 ? 8 : 4;
  p += timeBytes;
  if (p >= b.length) return;
  p += 1 + b[p]!; // the name
  if (p + 4 > b.length) return;
  b.fill(0, time, time + timeBytes);
  const header = b.subarray(9, p);
  const sum = (flags & 0x1000) !== 0 ? crc32(header) : adler32(header);
  b[p] = sum >>> 24;
  b[p + 1] = (sum >>> 16) & 0xff;
  b[p + 2] = (sum >>> 8) & 0xff;
  b[p + 3] = sum & 0xff;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
