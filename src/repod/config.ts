/**
 * The pure loading pipeline: TOML texts -> shallow merge (later files win) -> layering with the
 * environment and explicit overrides (overrides > files > environment, as repod's settings
 * sources) -> validation -> resolution. No I/O: the edge (fs.ts) finds and reads the files.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { RepokitError } from '../shared/errors.js';
import { TOP_LEVEL_KEYS, Collector, checkSettings, type Origin } from './validate.js';
import { resolveSettings } from './resolve.js';
import { repodBaseDirs, type RepodConfig, type RepodMode, type RepodViolation } from './model.js';
import { isAbsolutePath } from './path.js';
import { isTable } from './values.js';

/** One configuration file's text and (for messages) its path. */
export interface RepodConfigSource {
  text: string;
  file?: string;
}

/** Options of {@link resolveRepodConfig}. */
export interface ResolveRepodOptions {
  /** `user` (default; repod's `UserSettings`) or `system` (`SystemSettings`). */
  mode?: RepodMode;
  /**
   * Environment variables: `XDG_STATE_HOME` and `HOME` locate user-mode state; variables named
   * after top-level settings (any letter case, JSON for tables and lists) fill keys the files do
   * not set, as in repod. Default: none (pure code does not read `process.env`).
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for `~` in archive paths and the `~/.local/state` fallback (default `env.HOME`). */
  home?: string;
  /** Top-level settings that beat the files (repod's constructor arguments). */
  overrides?: Readonly<Record<string, unknown>>;
  /** Read settings from `env` (default true, as repod does). */
  settingsFromEnv?: boolean;
}

/** Thrown when a configuration breaks rules; `violations` lists every problem found. */
export class RepodConfigError extends RepokitError {
  readonly violations: readonly RepodViolation[];

  constructor(violations: readonly RepodViolation[]) {
    const first = violations[0];
    super('REPOD_INVALID_CONFIG', formatViolations(violations), first?.file === undefined ? {} : { file: first.file });
    // The file of the first violation is only a hint; each violation names its own.
    this.file = undefined;
    this.violations = violations;
  }

  /** {@link RepokitError.toJSON} plus `violations`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), violations: this.violations };
  }
}

/** One line per violation: `file: key (repository #i 'name'): message`. */
export function formatViolation(v: RepodViolation): string {
  const where = v.file ?? v.source ?? 'default';
  const repo = v.repository === undefined ? '' : ` (repository #${v.repository.index} '${v.repository.name}')`;
  const rel = v.related === undefined ? '' : ` [conflicts with ${v.related.key} of repository #${v.related.index} '${v.related.name}']`;
  return `${where}: ${v.key ?? v.loc}${repo}: ${v.msg}${rel}`;
}

function formatViolations(vs: readonly RepodViolation[]): string {
  const head = `${vs.length} problem${vs.length === 1 ? '' : 's'} in the repod configuration`;
  return [head, ...vs.map((v) => `  ${formatViolation(v)}`)].join('\n');
}

/** Parse one TOML text; a syntax error is a RepokitError `REPOD_TOML_SYNTAX` with line and column. */
export function parseRepodToml(text: string, file?: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const detail = `invalid TOML: ${e.message.replace(/^Invalid TOML document: /, '').split('\n')[0]}`;
      throw new RepokitError('REPOD_TOML_SYNTAX', detail, { line: e.line, column: e.column, file, cause: e });
    }
    // smol-toml throws only TomlError for bad input; anything else (stack exhaustion) is reported the same way.
    throw new RepokitError('REPOD_TOML_SYNTAX', `invalid TOML: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
  }
}

/** Shallow merge of parsed files: per top-level key, the last file that sets it wins. */
export function mergeRepodFiles(docs: readonly { data: Record<string, unknown>; file?: string }[]): {
  data: Record<string, unknown>;
  origins: Map<string, Origin>;
} {
  const data: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const origins = new Map<string, Origin>();
  for (const d of docs) {
    for (const key of Object.keys(d.data)) {
      data[key] = d.data[key];
      origins.set(key, d.file === undefined ? { source: 'configuration text' } : { file: d.file });
    }
  }
  return { data, origins };
}

/** pydantic's deep_update: tables merge recursively, anything else is replaced. */
function deepUpdate(base: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(base)) out[k] = base[k];
  for (const k of Object.keys(update)) {
    const a = out[k];
    const b = update[k];
    out[k] = isTable(a) && isTable(b) && Object.prototype.hasOwnProperty.call(out, k) ? deepUpdate(a, b) : b;
  }
  return out;
}

const COMPLEX_KEYS = new Set(['management_repo', 'repositories', 'syncdb_settings']);

/** Settings from environment variables named after the top-level keys (repod's BaseSettings behaviour). */
function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>, c: Collector): { data: Record<string, unknown>; names: Map<string, string> } {
  const byLower = new Map<string, [string, string]>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) byLower.set(name.toLowerCase(), [name, value]);
  }
  const data: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const names = new Map<string, string>();
  for (const key of TOP_LEVEL_KEYS) {
    const hit = byLower.get(key);
    if (hit === undefined) continue;
    const [name, value] = hit;
    names.set(key, name);
    if (COMPLEX_KEYS.has(key)) {
      try {
        data[key] = JSON.parse(value) as unknown;
      } catch {
        c.add('environment', [key], `the environment variable ${name} must hold JSON for this setting`);
      }
    } else if (key === 'archiving') {
      try {
        data[key] = JSON.parse(value) as unknown;
      } catch {
        data[key] = value;
      }
    } else data[key] = value;
  }
  return { data, names };
}

/** The result of {@link checkRepodConfig}: a configuration, or the violations. */
export interface RepodCheckResult {
  config: RepodConfig | undefined;
  violations: RepodViolation[];
  warnings: RepodViolation[];
}

/**
 * Validate and resolve configuration texts without throwing for rule violations (TOML syntax
 * errors still throw `REPOD_TOML_SYNTAX`). `sources` are merged in order, later ones winning.
 */
export function checkRepodConfig(sources: readonly RepodConfigSource[], options: ResolveRepodOptions = {}): RepodCheckResult {
  const docs = sources.map((s) => (s.file === undefined ? { data: parseRepodToml(s.text) } : { data: parseRepodToml(s.text, s.file), file: s.file }));
  return checkRepodData(docs, options);
}

/** Like {@link checkRepodConfig}, for already parsed documents (e.g. from another TOML or JSON reader). */
export function checkRepodData(
  docs: readonly { data: Record<string, unknown>; file?: string }[],
  options: ResolveRepodOptions = {},
): RepodCheckResult {
  const mode = options.mode ?? 'user';
  const env = options.env ?? {};
  const merged = mergeRepodFiles(docs);
  const origins = new Map(merged.origins);
  const early: RepodViolation[] = [];
  const envCollector = new Collector(new Map(TOP_LEVEL_KEYS.map((k) => [k, { source: 'environment' }])));
  let data = merged.data;
  if (options.settingsFromEnv ?? true) {
    const fromEnv = settingsFromEnvironment(env, envCollector);
    for (const [key, name] of fromEnv.names) if (!origins.has(key)) origins.set(key, { source: `environment variable ${name}` });
    data = deepUpdate(fromEnv.data, data);
  }
  early.push(...envCollector.violations);
  if (options.overrides !== undefined) {
    for (const key of Object.keys(options.overrides)) origins.set(key, { source: 'overrides' });
    data = deepUpdate(data, options.overrides as Record<string, unknown>);
  }
  const c = new Collector(origins);
  const home = options.home ?? nonEmpty(env['HOME']);
  let stateHome = nonEmpty(env['XDG_STATE_HOME']);
  if (stateHome === undefined && home !== undefined) stateHome = `${home.replace(/\/+$/, '')}/.local/state`;
  if (mode === 'user' && (stateHome === undefined || !isAbsolutePath(stateHome))) {
    const v = c.make('environment', ['XDG_STATE_HOME'], stateHome === undefined
      ? 'user mode needs XDG_STATE_HOME or a home directory to place its state (pass env or home)'
      : `The base_path must be absolute, but '${stateHome}/repod' is provided!`);
    delete v.key;
    v.source = 'environment';
    return { config: undefined, violations: [...early, v], warnings: [] };
  }
  const checked = checkSettings(data, c, { home });
  const base = repodBaseDirs(mode, stateHome);
  const files = docs.flatMap((d) => (d.file === undefined ? [] : [d.file]));
  const config = early.length === 0 ? resolveSettings(checked, c, mode, base, files) : undefined;
  if (config !== undefined) config.warnings = c.warnings;
  return { config, violations: [...early, ...c.violations], warnings: c.warnings };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/**
 * Load a configuration from TOML texts (merged in order, later ones winning): validated with
 * every rule, defaults applied, every directory resolved. Throws `REPOD_TOML_SYNTAX` for a syntax
 * error and a {@link RepodConfigError} (`REPOD_INVALID_CONFIG`) listing every violation.
 */
export function resolveRepodConfig(sources: readonly RepodConfigSource[], options: ResolveRepodOptions = {}): RepodConfig {
  const r = checkRepodConfig(sources, options);
  if (r.config === undefined) throw new RepodConfigError(r.violations);
  return r.config;
}
