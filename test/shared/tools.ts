/** Real archivers for interop tests: skip locally when missing, fail under CI (which installs them). */
import { spawnSync } from 'node:child_process';

const seen = new Map<string, boolean>();

/** True when `name` runs; a missing tool throws when CI is set. */
export function hasTool(name: string): boolean {
  let ok = seen.get(name);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
    seen.set(name, ok);
  }
  const ci = process.env['CI'];
  if (!ok && ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') throw new Error(`${name} is not installed; CI must install it`);
  return ok;
}

/** Run a tool with stdin bytes; returns stdout (throws with stderr on a non-zero exit). */
export function runTool(cmd: string, args: readonly string[], input?: Uint8Array, cwd?: string): Uint8Array {
  const r = spawnSync(cmd, args, { input, cwd, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length);
}
