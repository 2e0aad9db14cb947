/**
 * What the Repository facade needs from each format (alpm.ts, xbps.ts, aptrpm.ts), and the parts
 * they share: the add decision, progress in batches, and abort handling.
 */
import { RepokitError, isRepokitError } from '../shared/errors.js';
import type { AddResult, ProgressEvent, SkipReason } from './types.js';
import type { PackageView, RepositoryFormat } from './view.js';

/** Passed to every adapter call. */
export interface Ctx {
  signal: AbortSignal | undefined;
  /** Worker threads wanted (undefined: the format's default). */
  concurrency: number | undefined;
  progress(event: ProgressEvent): void;
}

/** A package read from a file, ready to be put into an index. */
export interface Candidate<E> {
  path: string;
  view: PackageView;
  entry: E;
}

/** The outcome of putting one candidate into an index. */
export type Decision = { kind: 'added' } | { kind: 'replaced'; old: PackageView[] } | { kind: 'skipped'; reason: SkipReason; message: string };

/** An index built and ready to be put in place: `install` no longer looks at the signal. */
export interface Prepared {
  /** The index files `install` replaces. */
  files: string[];
  /** `files`: further files written besides those above (signatures, backups). */
  install(): Promise<{ copied: string[]; deleted: string[]; warnings: string[]; files?: string[] }>;
}

/** One format behind the facade. `S` is the in-memory index, `E` a candidate's format entry. */
export interface Adapter<S, E> {
  readonly format: RepositoryFormat;
  /** The lock file `write` holds. */
  readonly lockFile: string;
  /** The index as it is on disk now (an empty one when there is none). */
  load(ctx: Ctx): Promise<S>;
  /** An independent copy (the facade applies staged operations to copies). */
  clone(state: S): S;
  /** Whether the index exists on disk (as loaded). */
  exists(state: S): boolean;
  /** Read package files (all of this format): results in `paths` order, or per-file skips. */
  read(paths: readonly string[], ctx: Ctx): Promise<(Candidate<E> | { path: string; reason: SkipReason; message: string })[]>;
  /** Whether the repository takes packages of this view's architecture. */
  archAccepted(view: PackageView): string | undefined;
  /** Put a candidate into the index (or decide not to). */
  add(state: S, candidate: Candidate<E>, force: boolean): Decision;
  /** Remove every package of this name; returns what went. */
  remove(state: S, name: string): PackageView[];
  /** The packages of the index, in a stable order. */
  views(state: S): PackageView[];
  /** Encode the index (abortable); `install` writes it. */
  prepare(state: S, ctx: Ctx): Promise<Prepared>;
  /** After a successful install: make `state` describe what is now on disk. */
  settle(state: S): void;
  /** What loading this state noticed that `write` reports (e.g. an unsigned database with `verify`). */
  warnings?(state: S): string[];
}

/**
 * The usual rule: no package of that name → added; a newer version → replaces every package of
 * that name; the same version → skipped (`already-present`); an older one → skipped (`older`).
 * `force` replaces in the last two cases too.
 */
export function decide(existing: readonly PackageView[], candidate: PackageView, force: boolean): Decision {
  if (existing.length === 0) return { kind: 'added' };
  if (!force) {
    for (const old of existing) {
      const c = candidate.version.compare(old.version);
      if (c === 0) return { kind: 'skipped', reason: 'already-present', message: `${old.name} ${old.version.text} is already in the index` };
      if (c < 0) return { kind: 'skipped', reason: 'older', message: `the index holds ${old.name} ${old.version.text}, newer than ${candidate.version.text}` };
    }
  }
  return { kind: 'replaced', old: [...existing] };
}

/** RepokitError ABORTED for an aborted signal (its reason as the cause). */
export function abortError(signal: AbortSignal): RepokitError {
  return new RepokitError('ABORTED', 'the operation was aborted', { cause: signal.reason });
}

/** Throw ABORTED when the signal is aborted. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Run `fn`; when it fails because the signal was aborted, throw ABORTED instead of whatever it threw. */
export async function abortable<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  checkAborted(signal);
  try {
    return await fn();
  } catch (e) {
    if (signal?.aborted && !(isRepokitError(e) && e.code !== 'ABORTED' && e.code !== 'IO_ERROR')) throw abortError(signal);
    throw e;
  }
}

/**
 * Cut `items` into batches for progress reports: at most about 16 reports, each batch big enough
 * that starting worker threads per batch costs little.
 */
export function batches<T>(items: readonly T[], minSize = 32): T[][] {
  const size = Math.max(minSize, Math.ceil(items.length / 16));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** An empty AddResult. */
export function emptyAddResult(): AddResult {
  return { added: [], replaced: [], skipped: [] };
}
