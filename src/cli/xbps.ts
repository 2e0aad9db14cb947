/**
 * `repokit xbps ...`: index, clean, list, cmpver. Presentation only; the work is done by the
 * library (rindexAdd, rindexClean, rindexSign, signPackages, readRepodata, cmpver).
 */
import { readFileSync, statSync } from 'node:fs';
import { machine } from 'node:os';
import {
  cmpver,
  entryString,
  indexedPackagePaths,
  plistToJson,
  readRepodata,
  repositoryPackages,
  rindexAdd,
  rindexClean,
  rindexRemoveObsoletes,
  rindexSign,
  signPackages,
  REPODATA_COMPRESSIONS,
  type XbpsIndexEntry,
} from '../xbps/index.js';
import type { Compression } from '../shared/compression.js';
import { RepokitError } from '../shared/errors.js';
import { UsageError, formatOptions, parseArgs, type OptionSpec, type Parsed } from './args.js';
import { errorLine, errorToJson, isRepokitError, oneLine, table, toJson, visible } from './output.js';
import type { Context } from './rpm.js';

/** The lines this area adds to the main help's command list. */
export const XBPS_SUMMARY = `  xbps index DIR|PKG...  add packages to <arch>-repodata as xbps-rindex -a (--sign, ...)
  xbps clean DIR        drop repodata entries whose package is gone or changed
  xbps list REPODATA    packages of an XBPS repodata of any xbps version (--json)
  xbps cmpver A B       compare two XBPS versions; prints -1, 0 or 1
`;

export const XBPS_HELP = `Usage: repokit xbps <command> [options]

XBPS (Void Linux) repositories: build and read <arch>-repodata, compare versions.

Commands:
  index DIR|PKG...  add packages to the repository index, as xbps-rindex -a does
                    (optionally signing the repository and its packages)
  clean DIR         drop index entries whose package file is missing or changed
  list REPODATA     list the packages of a repodata file (any xbps generation)
  cmpver A B        compare two versions or pkgvers the way xbps does; prints -1, 0 or 1

Run 'repokit xbps <command> --help' for the options of a command.
`;

export async function xbpsCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError('missing command (index, clean, list or cmpver)', 'xbps');
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    ctx.io.out(XBPS_HELP);
    return 0;
  }
  switch (sub) {
    case 'index':
      return index(rest, ctx);
    case 'clean':
      return clean(rest, ctx);
    case 'list':
      return list(rest, ctx);
    case 'cmpver':
      return cmpverCommand(rest, ctx);
    default:
      throw new UsageError(`unknown command '${sub}' (expected index, clean, list or cmpver)`, 'xbps');
  }
}

// --- shared ------------------------------------------------------------------------------------

const ARCH_OPTION: OptionSpec = { name: 'arch', value: 'ARCH', help: 'repository architecture (default: $XBPS_TARGET_ARCH, $XBPS_ARCH, uname -m)' };
const COMPRESSION_OPTION: OptionSpec = {
  name: 'compression',
  value: 'FORMAT',
  choices: REPODATA_COMPRESSIONS,
  help: 'zstd (default), xz, gzip, bzip2, lz4 or none; level 9 as xbps-rindex',
};

function archOf(p: Parsed): string {
  const a = p.options.get('arch');
  if (typeof a === 'string') return a;
  return process.env['XBPS_TARGET_ARCH'] || process.env['XBPS_ARCH'] || machine();
}

function compressionOf(p: Parsed): Compression | undefined {
  const c = p.options.get('compression');
  return typeof c === 'string' ? (c as Compression) : undefined;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Report a data error (one line on stderr) and return exit status 1; rethrow anything else. */
function dataError(e: unknown, ctx: Context, json = false): number {
  if (!isRepokitError(e)) throw e;
  ctx.io.err(`${errorLine(e)}\n`);
  if (json) ctx.io.out(toJson({ error: errorToJson(e) }));
  return 1;
}

// --- index -------------------------------------------------------------------------------------

const INDEX_OPTIONS: readonly OptionSpec[] = [
  ARCH_OPTION,
  COMPRESSION_OPTION,
  { name: 'force', short: 'f', help: 'also replace with an equal or older version; re-sign packages' },
  { name: 'sign', value: 'KEY.pem', help: 'RSA private key (PEM): sign the repository, write <pkg>.sig2' },
  { name: 'signed-by', value: 'NAME', help: 'signer name, required with --sign (e.g. "Void Linux")' },
  { name: 'legacy-sig', help: 'with --sign: also write legacy .sig files (xbps <= 0.59)' },
];

export const INDEX_HELP = `Usage: repokit xbps index [options] DIR|PKG...

Add packages to <arch>-repodata the way xbps-rindex -a does. DIR means every *.<arch>.xbps and
*.noarch.xbps in it; PKG... must all be in one directory, whose repodata is updated. A newer
pkgver replaces the indexed one, an equal or older one is skipped (unless --force; a package's
"reverts" can make an older version win). Packages that would take shared libraries away from
indexed packages are staged instead (stage.plist), as xbps-rindex does. The repodata is written
only if something changed, atomically, under <arch>-repodata.lock.

Options:
${formatOptions(INDEX_OPTIONS)}

With --sign, the repository key goes into index-meta.plist (xbps-rindex -s) and every indexed
package without a .sig2 gets one (xbps-rindex -S; --force re-signs all). The key's passphrase,
if any, is read from $XBPS_PASSPHRASE.

Exit status: 0 on success, 1 if a package or the repodata cannot be read or written,
2 for a usage error.
`;

async function index(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, INDEX_OPTIONS, 'xbps index');
  if (p.help) {
    ctx.io.out(INDEX_HELP);
    return 0;
  }
  if (p.positionals.length === 0) throw new UsageError('missing DIR or PKG', 'xbps index');
  const key = p.options.get('sign');
  const signedBy = p.options.get('signed-by');
  if ((typeof key === 'string') !== (typeof signedBy === 'string')) throw new UsageError('--sign and --signed-by go together', 'xbps index');
  if (p.options.has('legacy-sig') && typeof key !== 'string') throw new UsageError('--legacy-sig needs --sign', 'xbps index');
  const arch = archOf(p);
  const compression = compressionOf(p);
  const force = p.options.has('force');
  const log = (line: string) => ctx.io.out(`${line}\n`);
  const common = { arch, log, ...(compression ? { compression } : {}) };
  try {
    // Read the key first: a missing key must not leave a half-done job behind.
    let pem: Uint8Array | undefined;
    if (typeof key === 'string') {
      try {
        pem = readFileSync(key);
      } catch (e) {
        throw new RepokitError('IO_ERROR', `cannot read the key: ${String((e as { code?: unknown }).code ?? e)}`, { file: key, cause: e });
      }
    }
    let packages: string[];
    let dir: string;
    if (p.positionals.length === 1 && isDir(p.positionals[0]!)) {
      dir = p.positionals[0]!;
      packages = await repositoryPackages(dir, arch);
    } else {
      const notPkg = p.positionals.find((f) => isDir(f));
      if (notPkg !== undefined) throw new UsageError(`give either one DIR or package files, not a directory among packages (${notPkg})`, 'xbps index');
      packages = [...p.positionals];
      dir = packages[0]!.includes('/') ? packages[0]!.slice(0, packages[0]!.lastIndexOf('/')) || '/' : '.';
    }
    if (packages.length > 0) {
      const r = await rindexAdd(packages, { ...common, force });
      if (!r.written) ctx.io.out('index: nothing to do (no package added)\n');
    } else {
      ctx.io.out(`index: no *.${arch}.xbps or *.noarch.xbps in ${dir}\n`);
    }
    if (pem !== undefined && typeof signedBy === 'string') {
      const passphrase = process.env['XBPS_PASSPHRASE'];
      const opts = passphrase !== undefined ? { passphrase } : {};
      await rindexSign(dir, { ...common, key: pem, signedBy, ...opts });
      const repo = await readRepodata(`${dir}/${arch}-repodata`);
      const paths = indexedPackagePaths(repo, dir).filter((f) => {
        try {
          return statSync(f).isFile();
        } catch {
          return false;
        }
      });
      await signPackages(paths, { key: pem, force, legacy: p.options.has('legacy-sig'), log, ...opts });
    }
    return 0;
  } catch (e) {
    return dataError(e, ctx);
  }
}

// --- clean -------------------------------------------------------------------------------------

const CLEAN_OPTIONS: readonly OptionSpec[] = [
  ARCH_OPTION,
  COMPRESSION_OPTION,
  { name: 'skip-hash', help: 'only check that the files exist (xbps-rindex -c without -C)' },
  { name: 'remove-obsoletes', help: 'then delete unindexed package files and signatures (-r)' },
];

export const CLEAN_HELP = `Usage: repokit xbps clean [options] DIR

Drop every index and stage entry of DIR/<arch>-repodata whose package file is missing, or whose
SHA-256 differs from the entry's filename-sha256 (xbps-rindex -c -C). The repodata is rewritten
only if an entry was dropped.

Options:
${formatOptions(CLEAN_OPTIONS)}

Exit status: 0 on success, 1 if the repodata cannot be read or written, 2 for a usage error.
`;

async function clean(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, CLEAN_OPTIONS, 'xbps clean');
  if (p.help) {
    ctx.io.out(CLEAN_HELP);
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError(`expects one DIR, got ${p.positionals.length}`, 'xbps clean');
  const dir = p.positionals[0]!;
  const compression = compressionOf(p);
  const common = { arch: archOf(p), log: (line: string) => ctx.io.out(`${line}\n`), ...(compression ? { compression } : {}) };
  try {
    const r = await rindexClean(dir, { ...common, hashCheck: !p.options.has('skip-hash') });
    if (!r.written) ctx.io.out('index: nothing to clean\n');
    if (p.options.has('remove-obsoletes')) await rindexRemoveObsoletes(dir, common);
    return 0;
  } catch (e) {
    return dataError(e, ctx);
  }
}

// --- list --------------------------------------------------------------------------------------

const LIST_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', help: 'print JSON instead of text' },
  { name: 'stage', help: 'list the staged packages (stage.plist) instead of the index' },
];

export const LIST_HELP = `Usage: repokit xbps list [options] REPODATA

List the packages of an XBPS repository index: <arch>-repodata of any xbps version (zstd, xz,
gzip, bzip2, lz4 or uncompressed; 3 or 2 members), or an old plist index (<arch>-index.plist,
rindex.plist, pkg-index.plist). REPODATA may be '-' for standard input.

Options:
${formatOptions(LIST_OPTIONS)}

Text output: one line per package, "pkgver  architecture  short_desc".
With --json: an object keyed by package name whose values are the index entries, key for key:
integers as numbers when exact (otherwise decimal strings), <data> as base64 strings,
<true/>/<false/> as booleans.

Exit status: 0 on success, 1 if the file cannot be read, 2 for a usage error.
`;

function entryLine(e: XbpsIndexEntry): string[] {
  const str = (k: string) => {
    try {
      return entryString(e.dict, k) ?? '';
    } catch {
      return '';
    }
  };
  return [e.pkgver, str('architecture'), visible(str('short_desc'))];
}

async function list(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, LIST_OPTIONS, 'xbps list');
  if (p.help) {
    ctx.io.out(LIST_HELP);
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError(`expects one REPODATA file, got ${p.positionals.length}`, 'xbps list');
  const file = p.positionals[0]!;
  const json = p.options.has('json');
  try {
    const input = file === '-' ? await ctx.readStdin() : file;
    let repo;
    try {
      repo = await readRepodata(input);
    } catch (e) {
      if (isRepokitError(e) && file === '-') e.withFile('<stdin>');
      throw e;
    }
    const entries = p.options.has('stage') ? repo.stage : repo.index;
    if (json) {
      const out = Object.create(null) as Record<string, unknown>;
      for (const [name, e] of entries) out[name] = plistToJson(e.dict);
      ctx.io.out(toJson(out));
    } else {
      const rows = [...entries.values()].map(entryLine);
      ctx.io.out(rows.length > 0 ? `${table(rows)}\n` : '');
    }
    return 0;
  } catch (e) {
    return dataError(e, ctx, json);
  }
}

// --- cmpver ------------------------------------------------------------------------------------

const CMPVER_OPTIONS: readonly OptionSpec[] = [{ name: 'json', help: 'print JSON instead of text' }];

export const CMPVER_HELP = `Usage: repokit xbps cmpver [options] [--] A B

Compare two versions the way xbps does (xbps_cmpver, like 'xbps-uhelper cmpver') and print -1
(A is older), 0 (equal) or 1 (A is newer).

A and B are versions ("1.0_1") or whole pkgvers ("foo-1.0_1"); the whole strings are compared,
names included. Numbers compare numerically, "alpha" < "beta" < "pre" = "rc" < "pl" = ".", any
other letter counts as ".N" (a = 1, b = 2, ...), and "_N" is the revision, compared last.

Options:
${formatOptions(CMPVER_OPTIONS)}

With --json the output is {"a": A, "b": B, "result": -1 | 0 | 1}.
Put '--' before a version that starts with '-'.

Exit status: 0 after printing the result, 2 for a usage error.
`;

async function cmpverCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, CMPVER_OPTIONS, 'xbps cmpver');
  if (p.help) {
    ctx.io.out(CMPVER_HELP);
    return 0;
  }
  if (p.positionals.length !== 2) throw new UsageError(`expects two versions, got ${p.positionals.length}`, 'xbps cmpver');
  const [a, b] = p.positionals as [string, string];
  let result: number;
  try {
    result = cmpver(a, b);
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    ctx.io.err(`repokit: xbps cmpver: ${oneLine(e.message)}\n`);
    return 1;
  }
  ctx.io.out(p.options.has('json') ? toJson({ a, b, result }) : `${result}\n`);
  return 0;
}
