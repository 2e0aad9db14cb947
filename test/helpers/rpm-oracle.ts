/**
 * Runs test/interop/rpm-oracle.py (python3-rpm / librpm) over .rpm files and
 * returns its JSON: for each file the signature header and the main header
 * exactly as stored, plus typed package fields read through rpm's own API.
 * See the docstring of rpm-oracle.py for where each value comes from.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RPM_PYTHON } from './rpmbuild.js';

export const RPM_ORACLE_SCRIPT = fileURLToPath(new URL('../interop/rpm-oracle.py', import.meta.url));

/**
 * A header value in `repokit rpm tags --json` form:
 * STRING -> string; STRING_ARRAY / I18NSTRING -> string[] (every I18N element);
 * CHAR/INT8/INT16/INT32 -> number if count == 1 else number[] (unsigned);
 * INT64 -> decimal string if count == 1 else string[]; BIN -> lowercase hex string.
 * Region tags 61/62/63: BIN, the 16-byte region trailer as hex.
 */
export type OracleTagValue = string | string[] | number | number[];

export interface OracleTag {
  /** rpm type number (1 CHAR ... 9 I18NSTRING). */
  type: number;
  value: OracleTagValue;
}

/** Tag number (decimal string) -> entry. Signature tags keep their own numbers (1000 = SIZE, 1004 = MD5, 269 = SHA1...). */
export type OracleTags = Record<string, OracleTag>;

export interface OracleDependency {
  name: string;
  /** RPMSENSE_* bits, unsigned 32-bit. */
  flags: number;
  /** EVR string, "" when unversioned. */
  version: string;
}

export interface OracleDependencies {
  provides: OracleDependency[];
  requires: OracleDependency[];
  conflicts: OracleDependency[];
  obsoletes: OracleDependency[];
  recommends: OracleDependency[];
  suggests: OracleDependency[];
  supplements: OracleDependency[];
  enhances: OracleDependency[];
}

export interface OracleFile {
  path: string;
  size: number;
  /** st_mode (uint16). */
  mode: number;
  user: string;
  group: string;
  mtime: number;
  /** Lowercase hex; null when the package stores none ("" in FILEDIGESTS: directories, links, devices, ghosts...). */
  digest: string | null;
  /** Symlink target; null when not a symlink (FILELINKTOS ""). */
  linkto: string | null;
  /** RPMFILE_* bits. */
  flags: number;
  /** RPMVERIFY_* bits, unsigned 32-bit (0xffffffff = verify everything). */
  verifyflags: number;
  /** FILELANGS element; null when "". */
  lang: string | null;
  /** FILECAPS element; null when "" or absent. */
  caps: string | null;
}

export interface OracleChangelogEntry {
  time: number;
  name: string;
  text: string;
}

export interface OraclePackage {
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string | null;
  is_source: boolean;
  /** "C" locale element of the I18N strings. */
  summary: string | null;
  description: string | null;
  license: string | null;
  group: string | null;
  url: string | null;
  vendor: string | null;
  packager: string | null;
  buildtime: number;
  buildhost: string | null;
  /** Installed size: LONGSIZE, else SIZE. */
  size: number;
  sourcerpm: string | null;
  disttag: string | null;
  payload: { format: string | null; compressor: string | null; flags: string | null };
  dependencies: OracleDependencies;
  files: OracleFile[];
  /** FILEDIGESTALGO, or 1 (MD5) when absent, as rpm defaults. */
  file_digest_algo: number;
  changelog: OracleChangelogEntry[];
}

export interface OracleDump {
  /** Signature header as stored (its own tag numbering), including region tag 62. */
  signature: OracleTags;
  /** Main header as stored (no merged signature tags, no extension tags), including region tag 63. */
  header: OracleTags;
  package: OraclePackage;
}

/** Keep each python invocation's argv well below ARG_MAX. */
const MAX_ARGV_BYTES = 64 * 1024;

function chunk(files: readonly string[]): string[][] {
  const chunks: string[][] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const f of files) {
    const len = Buffer.byteLength(f) + 1;
    if (cur.length > 0 && bytes + len > MAX_ARGV_BYTES) {
      chunks.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(f);
    bytes += len;
  }
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}

/** Dump every file with rpm-oracle.py; the result is keyed by the paths as given. */
export function runRpmOracle(files: string[]): Record<string, OracleDump> {
  const out: Record<string, OracleDump> = {};
  for (const part of chunk(files)) {
    const r = spawnSync(RPM_PYTHON, [RPM_ORACLE_SCRIPT, ...part], {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    if (r.error) throw new Error(`cannot run ${RPM_PYTHON} ${RPM_ORACLE_SCRIPT}: ${r.error.message}`);
    if (r.status !== 0) {
      throw new Error(`rpm-oracle.py failed (${r.signal ?? `exit ${r.status}`}):\n${r.stderr}`);
    }
    Object.assign(out, JSON.parse(r.stdout) as Record<string, OracleDump>);
  }
  for (const f of files) {
    if (!(f in out)) throw new Error(`rpm-oracle.py returned nothing for ${f}`);
  }
  return out;
}
