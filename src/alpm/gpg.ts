/**
 * Database signatures with GnuPG, as repo-add `-s/-k` (sign) and `-v` (verify) make and check
 * them. This is the edge: `gpg` runs as a child process (Node only), with the bytes on its
 * standard input, so what is signed or verified is exactly what repokit holds in memory. The
 * repository functions take any {@link DbSigner} / {@link DbVerifier}; these are the `gpg` ones.
 */
import { RepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import type { DbSigner } from './sync-db-write.js';

/**
 * Checks a detached signature of a database archive (repo-add `-v`): resolves when `signature`
 * is a good signature of `archive`, rejects (with anything) when not. `file` is the archive's
 * path, for messages.
 */
export type DbVerifier = (archive: Uint8Array, signature: Uint8Array, file: string) => Promise<void>;

/** Where and how `gpg` runs. */
export interface GpgOptions {
  /** The program (default `gpg`). */
  program?: string;
  /** The keyring directory (`--homedir`; default: gpg's own choice, `$GNUPGHOME` or `~/.gnupg`). */
  homedir?: string;
}

/** Options of {@link gpgSigner}. */
export interface GpgSignerOptions extends GpgOptions {
  /** The signing key (`--local-user`; repo-add `-k`, or `$GPGKEY`). Default: gpg's default key. */
  key?: string;
}

/** Largest output read from gpg (a detached signature is a few hundred bytes). */
const MAX_OUTPUT = 1024 * 1024;

function gpgArgs(o: GpgOptions): string[] {
  return ['--batch', '--no-tty', ...(o.homedir !== undefined ? ['--homedir', o.homedir] : [])];
}

function checkOptions(o: GpgSignerOptions): void {
  if (typeof o !== 'object' || o === null) throw new RepokitError('INVALID_ARGUMENT', 'options must be an object');
  for (const k of ['program', 'homedir', 'key'] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new RepokitError('INVALID_ARGUMENT', `${k} must be a non-empty string`);
  }
}

/**
 * A {@link DbSigner} that runs `gpg --detach-sign --no-armor [--local-user KEY]` over the archive
 * bytes, as repo-add `-s [-k KEY]` does (repo-add takes the key from `-k` or `$GPGKEY`; pass it
 * here). `--batch` keeps gpg from prompting on a terminal; a passphrase still comes from
 * gpg-agent.
 */
export function gpgSigner(options: GpgSignerOptions = {}): DbSigner {
  checkOptions(options);
  const o = { ...options };
  return async (archive) => {
    const args = [...gpgArgs(o), '--detach-sign', '--no-armor', ...(o.key !== undefined ? ['--local-user', o.key] : []), '--output', '-'];
    const r = await runGpg(o.program ?? 'gpg', args, archive);
    if (r.status !== 0) throw new Error(`gpg --detach-sign exited with ${r.status}: ${lastLines(r.stderr)}`);
    return r.stdout;
  };
}

/**
 * A {@link DbVerifier} that runs `gpg --verify` on the signature and the archive bytes, as
 * repo-add `-v` does: a good signature by a key in the keyring is accepted (gpg's exit status 0),
 * anything else is refused with gpg's own words.
 */
export function gpgVerifier(options: GpgOptions = {}): DbVerifier {
  checkOptions(options);
  const o = { ...options };
  return async (archive, signature) => {
    // The signature goes in on descriptor 3 (`-&3`), the signed data on standard input.
    const args = [...gpgArgs(o), '--enable-special-filenames', '--verify', '--', '-&3', '-'];
    const r = await runGpg(o.program ?? 'gpg', args, archive, signature);
    if (r.status !== 0) throw new Error(lastLines(r.stderr) || `gpg --verify exited with ${r.status}`);
  };
}

function lastLines(s: string): string {
  return s.trim().split('\n').slice(-3).join('; ');
}

interface GpgResult {
  status: number;
  stdout: Uint8Array;
  stderr: string;
}

function runGpg(program: string, args: readonly string[], input: Uint8Array, fd3?: Uint8Array): Promise<GpgResult> {
  const cp = nodeBuiltin<typeof import('node:child_process')>('node:child_process');
  return new Promise<GpgResult>((resolve, reject) => {
    const stdio: ('pipe' | 'ignore')[] = fd3 !== undefined ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'];
    const child = cp.spawn(program, args, { stdio, env: { ...process.env, LC_ALL: 'C' } });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    let size = 0;
    child.on('error', (e) => reject(new Error(`cannot run ${program}: ${(e as { code?: string }).code ?? e.message}`)));
    child.stdout!.on('data', (c: Uint8Array) => {
      size += c.length;
      if (size > MAX_OUTPUT) child.kill();
      else out.push(c);
    });
    child.stderr!.on('data', (c: Uint8Array) => {
      if (err.length < 64) err.push(c);
    });
    // gpg may exit before reading all input (a bad key): a broken pipe is reported by the exit status.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input);
    if (fd3 !== undefined) {
      const s = child.stdio[3] as import('node:stream').Writable;
      s.on('error', () => undefined);
      s.end(fd3);
    }
    child.on('close', (code, signal) => {
      const stdout = new Uint8Array(size > MAX_OUTPUT ? 0 : size);
      let at = 0;
      for (const c of out) {
        stdout.set(c, at);
        at += c.length;
      }
      const dec = new TextDecoder();
      resolve({ status: code ?? (signal !== null ? 128 : 1), stdout, stderr: err.map((c) => dec.decode(c, { stream: true })).join('') + dec.decode() });
    });
  });
}
