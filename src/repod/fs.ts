/**
 * The edge: find and read repod's configuration files as repod does, and (optionally) create the
 * resolved directories. `node:fs` is reached lazily, so importing `repokit/repod` stays
 * browser-safe; everything that touches the machine can be injected for tests and sandboxes.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import { nodeBuiltin } from '../shared/input.js';
import { checkRepodConfig, RepodConfigError, type RepodCheckResult, type ResolveRepodOptions } from './config.js';
import { REPOD_LAYERS, type RepodConfig, type RepodMode } from './model.js';
import { compareCodePoints, joinPath } from './path.js';
import { ioError } from '../shared/io-error.js';

type NodeFs = typeof import('node:fs');
type NodeOs = typeof import('node:os');

/** Options of {@link loadRepodConfig} and {@link findRepodConfigFiles}. */
export interface LoadRepodOptions extends Omit<ResolveRepodOptions, 'env'> {
  /** `user` (default) or `system`. */
  mode?: RepodMode;
  /** Read only this file (repod's `-c/--config`): no main file, no `repod.conf.d`. */
  configFile?: string;
  /** Environment (default `process.env`): `XDG_CONFIG_HOME`, `XDG_STATE_HOME`, `HOME`, settings. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Prefix of the system-mode locations (default `/`: `/etc/repod.conf`, `/etc/repod.conf.d/`). */
  root?: string;
  /** Names in a directory, or undefined when it does not exist (default: `fs.readdir`). */
  listDirectory?: (dir: string) => Promise<readonly string[] | undefined>;
  /** A file's text, or undefined when it does not exist (default: `fs.readFile`, UTF-8). */
  readFile?: (path: string) => Promise<string | undefined>;
  /** Largest configuration file read, in bytes (default 1 MiB; larger: `LIMIT_EXCEEDED`). */
  maxFileSize?: number;
}

/** Default largest configuration file. */
export const REPOD_MAX_CONFIG_SIZE = 1 << 20;

function fs(): NodeFs {
  return nodeBuiltin<NodeFs>('node:fs');
}

function defaultReadFile(max: number): (path: string) => Promise<string | undefined> {
  return async (path) => {
    const p = fs().promises;
    let size: number;
    try {
      size = (await p.stat(path)).size;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT' || (e as { code?: unknown }).code === 'ENOTDIR') return undefined;
      throw ioError(e, path);
    }
    if (size > max) throw new RepokitError('LIMIT_EXCEEDED', `configuration file of ${size} bytes is larger than the limit of ${max} bytes`, { file: path });
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await p.readFile(path));
    } catch (e) {
      throw ioError(e, path);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      throw new RepokitError('REPOD_TOML_SYNTAX', 'invalid TOML: the file is not valid UTF-8', { file: path, cause: e });
    }
  };
}

async function defaultListDirectory(dir: string): Promise<readonly string[] | undefined> {
  try {
    return await fs().promises.readdir(dir);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw ioError(e, dir);
  }
}

function environment(options: LoadRepodOptions): Readonly<Record<string, string | undefined>> {
  if (options.env !== undefined) return options.env;
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

function homeOf(options: LoadRepodOptions, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (options.home !== undefined) return options.home;
  const h = env['HOME'];
  if (h !== undefined && h !== '') return h;
  try {
    return nodeBuiltin<NodeOs>('node:os').homedir();
  } catch {
    return undefined;
  }
}

/** The main file and override directory of a mode. */
export function repodConfigLocations(
  mode: RepodMode,
  options: { root?: string; env?: Readonly<Record<string, string | undefined>>; home?: string } = {},
): { file: string; directory: string } {
  let dir: string;
  if (mode === 'system') dir = joinPath(options.root ?? '/', 'etc');
  else {
    const xdg = options.env?.['XDG_CONFIG_HOME'];
    if (xdg !== undefined && xdg !== '') dir = joinPath(xdg, 'repod');
    else if (options.home !== undefined) dir = joinPath(options.home, '.config', 'repod');
    else throw new RepokitError('INVALID_ARGUMENT', 'user mode needs XDG_CONFIG_HOME or a home directory to find its configuration');
  }
  return { file: joinPath(dir, 'repod.conf'), directory: joinPath(dir, 'repod.conf.d') };
}

/**
 * The files repod would read, in merge order: the custom file alone, or the mode's main file (if
 * it exists) followed by every `*.conf` directly inside `repod.conf.d/` (if it exists), sorted by
 * code point (`10-a.conf` before `9-b.conf`).
 */
export async function findRepodConfigFiles(options: LoadRepodOptions = {}): Promise<string[]> {
  return (await readRepodConfigFiles(options)).map((f) => f.file);
}

async function readRepodConfigFiles(options: LoadRepodOptions): Promise<{ file: string; text: string }[]> {
  const read = options.readFile ?? defaultReadFile(options.maxFileSize ?? REPOD_MAX_CONFIG_SIZE);
  if (options.configFile !== undefined) {
    const path = options.configFile;
    let text: string | undefined;
    try {
      text = await read(path);
    } catch (e) {
      if ((e as { cause?: { code?: unknown } }).cause?.code === 'EISDIR') throw new RepokitError('REPOD_CONFIG_FILE', `not a file: ${path}`, { file: path });
      throw e;
    }
    if (text === undefined) throw new RepokitError('REPOD_CONFIG_FILE', `the file '${path}' does not exist`, { file: path });
    return [{ file: path, text }];
  }
  const env = environment(options);
  const home = homeOf(options, env);
  const where = repodConfigLocations(options.mode ?? 'user', {
    ...(options.root === undefined ? {} : { root: options.root }),
    env,
    ...(home === undefined ? {} : { home }),
  });
  const out: { file: string; text: string }[] = [];
  const main = await read(where.file);
  if (main !== undefined) out.push({ file: where.file, text: main });
  const names = await (options.listDirectory ?? defaultListDirectory)(where.directory);
  if (names !== undefined) {
    const confs = names.filter((n) => n.endsWith('.conf') && !n.includes('/')).sort(compareCodePoints);
    for (const n of confs) {
      const path = joinPath(where.directory, n);
      const text = await read(path);
      // A file that vanished between listing and reading is skipped, as if never listed.
      if (text !== undefined) out.push({ file: path, text });
    }
  }
  return out;
}

/** Like {@link loadRepodConfig}, returning violations instead of throwing for them. */
export async function checkRepodConfigFiles(options: LoadRepodOptions = {}): Promise<RepodCheckResult> {
  const env = environment(options);
  const home = homeOf(options, env);
  const files = await readRepodConfigFiles(options);
  const resolveOptions: ResolveRepodOptions = { env, mode: options.mode ?? 'user' };
  if (home !== undefined) resolveOptions.home = home;
  if (options.overrides !== undefined) resolveOptions.overrides = options.overrides;
  if (options.settingsFromEnv !== undefined) resolveOptions.settingsFromEnv = options.settingsFromEnv;
  return checkRepodConfig(files, resolveOptions);
}

/**
 * Find, read, merge, validate and resolve the configuration as repod does (user mode by default;
 * with no file at all, one repository named `default`). Throws `REPOD_TOML_SYNTAX`,
 * `REPOD_INVALID_CONFIG` (a {@link RepodConfigError} listing every violation), `REPOD_CONFIG_FILE`,
 * `IO_ERROR` or `LIMIT_EXCEEDED`.
 */
export async function loadRepodConfig(options: LoadRepodOptions = {}): Promise<RepodConfig> {
  const r = await checkRepodConfigFiles(options);
  if (r.config === undefined) throw new RepodConfigError(r.violations);
  return r.config;
}

/** Every directory repod creates for a configuration, in repod's order, without duplicates. */
export function repodDirectories(config: RepodConfig): string[] {
  const out: string[] = [];
  for (const r of config.repositories) {
    for (const layer of REPOD_LAYERS) {
      const d = r.layers[layer];
      if (d !== undefined) out.push(d.managementRepo, d.packageRepo, d.sourceRepo);
    }
    out.push(r.packagePoolDir, r.sourcePoolDir);
    if (r.archiving !== null) out.push(r.archiving.packages, r.archiving.sources);
  }
  return [...new Set(out)];
}

/**
 * Create every resolved directory (mode 0755, with parents) and check that each is a writable
 * directory, as repod does while validating. repokit never does this implicitly. Throws `IO_ERROR`
 * naming the first directory that fails. Returns the directories.
 */
export async function createRepodDirectories(config: RepodConfig): Promise<string[]> {
  const p = fs().promises;
  const dirs = repodDirectories(config);
  for (const dir of dirs) {
    try {
      await p.mkdir(dir, { recursive: true, mode: 0o755 });
      const st = await p.stat(dir);
      if (!st.isDirectory()) throw new RepokitError('IO_ERROR', `Not a directory: '${dir}'.`, { file: dir });
      await p.access(dir, fs().constants.W_OK);
    } catch (e) {
      if (isRepokitError(e)) throw e;
      throw ioError(e, dir);
    }
  }
  return dirs;
}
