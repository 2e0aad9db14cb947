/** Real archivers for interop tests: skip locally when missing, fail under CI (which installs them). */
import { spawnSync } from 'node:child_process';

const seen = new Map<string, boolean>();

/** True when the CI environment variable is set to something other than '', '0' or 'false'. */
export function isCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** True when `name` runs; a missing tool throws when CI is set. */
export function hasTool(name: string): boolean {
  let ok = seen.get(name);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
    seen.set(name, ok);
  }
  if (!ok && isCi()) throw new Error(`${name} is not installed; CI must install it`);
  return ok;
}

/** '' when every tool runs, else ` (skipped: <tools> not installed)` for a test name (throws under CI, like hasTool). */
export function missingToolNote(...names: string[]): string {
  const missing = names.filter((n) => !hasTool(n));
  return missing.length === 0 ? '' : ` (skipped: ${missing.join(', ')} not installed)`;
}

/** Run a tool with stdin bytes; returns stdout (throws with stderr on a non-zero exit). */
export function runTool(cmd: string, args: readonly string[], input?: Uint8Array, cwd?: string): Uint8Array {
  const r = spawnSync(cmd, args, { input, cwd, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length);
}
