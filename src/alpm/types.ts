/**
 * The typed model of a sync-database entry (`desc`, legacy `depends`, `files`) and its
 * sections, in repo-add's canonical order.
 */
import type { AlpmIssue } from './validate.js';

/** An unknown `%SECTION%` kept as read (tolerant mode), in file order. */
export interface UnknownSection {
  /** The header without percent signs, e.g. `DELTAS`. */
  name: string;
  values: string[];
  /** 1-based line of the header. */
  line: number;
}

/** One `%BACKUP%` line of a local-database `files` entry: `path<TAB>md5`. */
export interface BackupEntry {
  path: string;
  /** The MD5 of the file as installed (32 hex digits), or `''` when the line had none. */
  md5: string;
}

/**
 * A sync-database entry: everything pacman reads from `desc` (and a legacy `depends`, and
 * `files`). Single-valued sections are optional properties; list sections are always arrays
 * (empty when absent). Sizes and dates are numbers.
 */
export interface DescEntry {
  filename?: string;
  name?: string;
  base?: string;
  version?: string;
  desc?: string;
  groups: string[];
  csize?: number;
  isize?: number;
  /** Only in v1 entries (pacman ≤ 6.0). */
  md5sum?: string;
  sha256sum?: string;
  /** Base64 of the binary detached signature. */
  pgpsig?: string;
  url?: string;
  license: string[];
  arch?: string;
  builddate?: number;
  packager?: string;
  replaces: string[];
  conflicts: string[];
  provides: string[];
  depends: string[];
  optdepends: string[];
  makedepends: string[];
  checkdepends: string[];
  /** `%FILES%` (files entries and the local database); absent when the text had none. */
  files?: string[];
  /** `%BACKUP%` (local database only). */
  backup?: BackupEntry[];
  /** Local database only: `%INSTALLDATE%`, seconds since the epoch. */
  installdate?: number;
  /** Local database only: `%REASON%` (0 explicitly installed, 1 as a dependency). */
  reason?: number;
  /** Local database only: `%VALIDATION%` (`none`, `md5`, `sha256`, `pgp`). */
  validation?: string[];
  /** `%DATA%`/`%XDATA%` `key=value` lines (libalpm reads them; repo-add never writes them). */
  xdata?: string[];
  /** Sections repokit does not know, in file order (never written back unless asked). */
  unknown: UnknownSection[];
}

/** How a section is stored. */
export type SectionKind = 'single' | 'number' | 'list' | 'files' | 'backup' | 'xdata';

/** A section known to the codec: its header name, the entry property, and its kind. */
export interface SectionSpec {
  header: string;
  key: keyof DescEntry;
  kind: SectionKind;
}

/** The desc sections in repo-add's order (pacman ≥ 5.0 merged layout), then files/backup/xdata. */
export const DESC_SECTIONS: readonly SectionSpec[] = [
  { header: 'FILENAME', key: 'filename', kind: 'single' },
  { header: 'NAME', key: 'name', kind: 'single' },
  { header: 'BASE', key: 'base', kind: 'single' },
  { header: 'VERSION', key: 'version', kind: 'single' },
  { header: 'DESC', key: 'desc', kind: 'single' },
  { header: 'GROUPS', key: 'groups', kind: 'list' },
  { header: 'CSIZE', key: 'csize', kind: 'number' },
  { header: 'ISIZE', key: 'isize', kind: 'number' },
  { header: 'MD5SUM', key: 'md5sum', kind: 'single' },
  { header: 'SHA256SUM', key: 'sha256sum', kind: 'single' },
  { header: 'PGPSIG', key: 'pgpsig', kind: 'single' },
  { header: 'URL', key: 'url', kind: 'single' },
  { header: 'LICENSE', key: 'license', kind: 'list' },
  { header: 'ARCH', key: 'arch', kind: 'single' },
  { header: 'BUILDDATE', key: 'builddate', kind: 'number' },
  { header: 'PACKAGER', key: 'packager', kind: 'single' },
  { header: 'REPLACES', key: 'replaces', kind: 'list' },
  { header: 'CONFLICTS', key: 'conflicts', kind: 'list' },
  { header: 'PROVIDES', key: 'provides', kind: 'list' },
  { header: 'DEPENDS', key: 'depends', kind: 'list' },
  { header: 'OPTDEPENDS', key: 'optdepends', kind: 'list' },
  { header: 'MAKEDEPENDS', key: 'makedepends', kind: 'list' },
  { header: 'CHECKDEPENDS', key: 'checkdepends', kind: 'list' },
  { header: 'FILES', key: 'files', kind: 'files' },
  { header: 'BACKUP', key: 'backup', kind: 'backup' },
  { header: 'DATA', key: 'xdata', kind: 'xdata' },
  { header: 'XDATA', key: 'xdata', kind: 'xdata' },
];

/** A new entry with every list empty and no single values. */
export function emptyDescEntry(): DescEntry {
  return {
    groups: [],
    license: [],
    replaces: [],
    conflicts: [],
    provides: [],
    depends: [],
    optdepends: [],
    makedepends: [],
    checkdepends: [],
    unknown: [],
  };
}

/** A decoded text plus what the tolerant reader noticed. */
export interface Decoded<T> {
  entry: T;
  /** Everything libalpm would have skipped or fixed silently, with positions. */
  warnings: AlpmIssue[];
}
