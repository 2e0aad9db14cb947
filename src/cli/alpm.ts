/**
 * `repokit alpm ...`: add, remove, list, vercmp. Everything here is presentation; the work is done
 * by the library (repoAdd, repoRemove, readSyncDb, vercmp).
 */
import { repoAdd, repoRemove, readSyncDb, vercmp, formatIssue, gpgSigner, gpgVerifier, type DescEntry, type RepoSignOptions, type SyncDb, type WrittenSyncDb } from '../alpm/index.js';
import { UsageError, formatOptions, parseArgs, type OptionSpec } from './args.js';
import { errorLine, errorToJson, isRepokitError, oneLine, toJson, visible } from './output.js';
import type { Context } from './rpm.js';

/** The lines this area adds to the main help's command list. */
export const ALPM_SUMMARY = `  alpm add DB PKG...    add pacman packages to a repository database (like repo-add)
  alpm remove DB NAME...  remove packages from a repository database (like repo-remove)
  alpm list DB          the packages of a pacman sync database (.db or .files; --json)
  alpm vercmp A B       compare two pacman versions; prints -1, 0 or 1
`;

export const ALPM_HELP = `Usage: repokit alpm <command> [options]

Work with pacman repositories: package files (.pkg.tar.*) and sync databases
(<repo>.db.tar.*, <repo>.files.tar.*).

Commands:
  add DB PKG...       add package files to a repository database (like repo-add)
  remove DB NAME...   remove packages by name from a repository database (like repo-remove)
  list DB             the packages of a sync database (.db or .files)
  vercmp A B          compare two versions the way pacman does; prints -1, 0 or 1

Run 'repokit alpm <command> --help' for the options of a command.
DB is <dir>/<repo>.db.tar[.gz|.xz|.zst|.bz2|.lz4|.lz|.Z|.lzo|.lrz] (or the
<repo>.db alias); .lzo and .lrz run the lzop / lrzip program.
`;

export async function alpmCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError('missing command (add, remove, list or vercmp)', 'alpm');
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    ctx.io.out(ALPM_HELP);
    return 0;
  }
  switch (sub) {
    case 'add':
      return add(rest, ctx);
    case 'remove':
      return remove(rest, ctx);
    case 'list':
      return list(rest, ctx);
    case 'vercmp':
      return vercmpCommand(rest, ctx);
    default:
      throw new UsageError(`unknown command '${sub}' (expected add, remove, list or vercmp)`, 'alpm');
  }
}

function dataError(e: unknown, ctx: Context, json = false): number {
  if (!isRepokitError(e)) throw e;
  ctx.io.err(`${errorLine(e)}\n`);
  if (json) ctx.io.out(toJson({ error: errorToJson(e) }));
  return 1;
}

const WAIT_OPTION: OptionSpec = { name: 'wait-for-lock', help: "wait while another repo-add or repokit holds the database's lock" };

/** repo-add's signing options and the .old backups, shared by add and remove. */
const SIGN_OPTIONS: readonly OptionSpec[] = [
  { name: 'sign', short: 's', help: 'sign the new databases with GnuPG (DB.sig and <repo>.db.sig, ...)' },
  { name: 'key', short: 'k', value: 'KEY', help: 'the key to sign with (default: $GPGKEY, else gpg\'s default key); needs --sign' },
  { name: 'verify', short: 'v', help: "check the database's signature with GnuPG before changing it" },
  { name: 'no-backup', help: 'do not keep the replaced archives as <archive>.old (repo-add always does)' },
];

/** `--sign/--key/--verify/--no-backup` as library options: gpg from PATH, its keyring from $GNUPGHOME or ~/.gnupg. */
function signOptions(o: ReadonlyMap<string, string | true>, command: string): RepoSignOptions {
  const key = o.get('key');
  if (key !== undefined && !o.has('sign')) throw new UsageError('--key needs --sign', command);
  const envKey = process.env['GPGKEY'];
  const chosen = typeof key === 'string' ? key : envKey !== undefined && envKey !== '' ? envKey : undefined;
  return {
    ...(o.has('sign') ? { sign: gpgSigner(chosen !== undefined ? { key: chosen } : {}) } : {}),
    ...(o.has('verify') ? { verify: gpgVerifier() } : {}),
    backup: !o.has('no-backup'),
  };
}

/** What was signed. */
function signedLines(written: WrittenSyncDb | undefined, ctx: Context): void {
  for (const f of written?.signatures.slice(0, 2) ?? []) ctx.io.err(`repokit: signed ${visible(f)}\n`);
}

/** Tell the operator which signatures of the old database were deleted (they must re-sign). */
function staleSignatures(written: WrittenSyncDb | undefined, ctx: Context): void {
  for (const f of written?.removedSignatures ?? []) ctx.io.err(`repokit: warning: removed the stale signature ${visible(f)}; sign the new database again\n`);
}

// --- alpm add ------------------------------------------------------------------------------

const ADD_OPTIONS: readonly OptionSpec[] = [
  { name: 'desc-version', value: 'N', choices: ['1', '2'], help: "desc layout: 2 (default, pacman >= 6.1) or 1 (with %MD5SUM%)" },
  { name: 'include-sigs', help: 'embed each PKG.sig as %PGPSIG% (binary signatures up to 16 KiB)' },
  { name: 'new', short: 'n', help: 'skip packages whose name and version are already in the database' },
  { name: 'force', help: 'allow replacing a newer version with an older one' },
  { name: 'remove', short: 'R', help: "delete the replaced packages' files and their .sig files" },
  ...SIGN_OPTIONS,
  WAIT_OPTION,
];

export const ADD_HELP = `Usage: repokit alpm add [options] DB PKG...

Add package files to a pacman repository, as repo-add does: each package replaces every entry
of the same name in <repo>.db.tar.* and <repo>.files.tar.* (both are created when missing),
then the <repo>.db and <repo>.files aliases are refreshed. The compression follows DB's name.
Replacing a newer version with an older one is refused unless --force. All or nothing: on any
error the database is left as it was. The lock file DB.lck is honoured and taken. With
--sign, both new archives are signed with gpg (binary detached signatures, as repo-add -s);
without it, signatures of the old database (DB.sig, <repo>.db.sig, ...) are deleted. With
--verify, a database whose signature does not verify is left alone (exit status 1); one
without a signature is only warned about. The archives being replaced are kept as
<archive>.old (and their signatures as <archive>.old.sig), as repo-add keeps them, unless
--no-backup.

Options:
${formatOptions(ADD_OPTIONS)}

Prints one line per package: 'added', 'replaced' or 'skipped', then name and version; with
--remove, a 'removed FILE' line for each file deleted. With --sign, standard error names the
two signatures written.
Exit status: 0 success, 1 if a package or the database could not be read or written
(nothing is changed then), 2 for a usage error.
`;

async function add(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, ADD_OPTIONS, 'alpm add');
  if (p.help) {
    ctx.io.out(ADD_HELP);
    return 0;
  }
  if (p.positionals.length < 2) throw new UsageError('expects a database and at least one package file', 'alpm add');
  const [db, ...pkgs] = p.positionals as [string, ...string[]];
  const o = p.options;
  try {
    const r = await repoAdd(db, pkgs, {
      descVersion: o.get('desc-version') === '1' ? 1 : 2,
      includeSigs: o.has('include-sigs'),
      onlyIfAbsent: o.has('new'),
      force: o.has('force'),
      removeOld: o.has('remove'),
      ...signOptions(o, 'alpm add'),
      lock: { wait: o.has('wait-for-lock') },
    });
    for (const w of r.warnings) ctx.io.err(`repokit: warning: ${visible(oneLine(formatIssue(w)))}\n`);
    staleSignatures(r.written, ctx);
    signedLines(r.written, ctx);
    for (const x of r.outcomes) {
      const was = x.replaced.length > 0 ? ` (was ${x.replaced.join(', ')})` : '';
      const why = x.action === 'skipped' ? ' (already in the database)' : '';
      ctx.io.out(`${x.action} ${x.name} ${x.version}${was}${why}\n`);
      for (const f of x.removedFiles) ctx.io.out(`removed ${visible(f)}\n`);
    }
    return 0;
  } catch (e) {
    return dataError(e, ctx);
  }
}

// --- alpm remove ---------------------------------------------------------------------------

const REMOVE_OPTIONS: readonly OptionSpec[] = [
  { name: 'ignore-missing', help: 'do not fail for a NAME that is not in the database' },
  ...SIGN_OPTIONS,
  WAIT_OPTION,
];

export const REMOVE_HELP = `Usage: repokit alpm remove [options] DB NAME...

Remove every entry of each package NAME from a pacman repository's <repo>.db.tar.* and
<repo>.files.tar.*, as repo-remove does. Package files are not deleted. All or nothing: a NAME
that is not in the database is an error (unless --ignore-missing) and nothing is changed.
--sign, --verify and --no-backup work as for 'alpm add'; without --sign, signatures of the
old database (DB.sig, <repo>.db.sig, ...) are deleted.

Options:
${formatOptions(REMOVE_OPTIONS)}

Prints 'removed <name>-<version>' for each entry removed.
Exit status: 0 success, 1 if the database could not be read or written or a NAME is not in it,
2 for a usage error.
`;

async function remove(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, REMOVE_OPTIONS, 'alpm remove');
  if (p.help) {
    ctx.io.out(REMOVE_HELP);
    return 0;
  }
  if (p.positionals.length < 2) throw new UsageError('expects a database and at least one package name', 'alpm remove');
  const [db, ...names] = p.positionals as [string, ...string[]];
  try {
    const r = await repoRemove(db, names, {
      ignoreMissing: p.options.has('ignore-missing'),
      ...signOptions(p.options, 'alpm remove'),
      lock: { wait: p.options.has('wait-for-lock') },
    });
    for (const w of r.warnings) ctx.io.err(`repokit: warning: ${visible(oneLine(formatIssue(w)))}\n`);
    staleSignatures(r.written, ctx);
    signedLines(r.written, ctx);
    for (const d of r.removed) ctx.io.out(`removed ${d}\n`);
    return 0;
  } catch (e) {
    return dataError(e, ctx);
  }
}

// --- alpm list -----------------------------------------------------------------------------

const LIST_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', help: 'print JSON instead of text' },
  { name: 'strict', help: 'validate every entry against the ALPM specification (fail on the first bad one)' },
];

export const LIST_HELP = `Usage: repokit alpm list [options] DB

List the packages of a pacman sync database: <repo>.db.tar.*, <repo>.files.tar.*, or the
<repo>.db / <repo>.files alias (any compression pacman reads: gzip, xz, zstd, bzip2,
lz4, lzip, compress (.Z), lzop, lrzip or none).

Options:
${formatOptions(LIST_OPTIONS)}

Text output: one 'name version' line per package, in database order.
With --json: an array with one object per package, keys in desc order:
  filename, name, base, version, desc, groups, csize, isize, md5sum, sha256sum, pgpsig, url,
  license, arch, builddate, packager, replaces, conflicts, provides, depends, optdepends,
  makedepends, checkdepends, and files for a .files database.
List sections are arrays ([] when absent), sizes and dates numbers, absent single values null.
On an error: {"error": {"code", "message", "file", "offset"}}.
Exit status: 0 success, 1 if the database could not be read, 2 for a usage error.
`;

/** The `list --json` object of one entry. */
export function entryToJson(e: DescEntry, withFiles: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    filename: e.filename ?? null,
    name: e.name ?? null,
    base: e.base ?? null,
    version: e.version ?? null,
    desc: e.desc ?? null,
    groups: e.groups,
    csize: e.csize ?? null,
    isize: e.isize ?? null,
    md5sum: e.md5sum ?? null,
    sha256sum: e.sha256sum ?? null,
    pgpsig: e.pgpsig ?? null,
    url: e.url ?? null,
    license: e.license,
    arch: e.arch ?? null,
    builddate: e.builddate ?? null,
    packager: e.packager ?? null,
    replaces: e.replaces,
    conflicts: e.conflicts,
    provides: e.provides,
    depends: e.depends,
    optdepends: e.optdepends,
    makedepends: e.makedepends,
    checkdepends: e.checkdepends,
  };
  if (withFiles) out['files'] = e.files ?? [];
  return out;
}

async function list(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, LIST_OPTIONS, 'alpm list');
  if (p.help) {
    ctx.io.out(LIST_HELP);
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError(`expects one database, got ${p.positionals.length}`, 'alpm list');
  const json = p.options.has('json');
  let db: SyncDb;
  try {
    db = await readSyncDb(p.positionals[0]!, p.options.has('strict') ? { mode: 'strict' } : {});
  } catch (e) {
    return dataError(e, ctx, json);
  }
  for (const w of db.warnings) ctx.io.err(`repokit: warning: ${visible(oneLine(formatIssue(w)))}\n`);
  for (const e of db.entries) for (const w of e.warnings) ctx.io.err(`repokit: warning: ${visible(oneLine(formatIssue(w)))}\n`);
  // The directory name is what libalpm goes by; desc values fill in everything else.
  const entries = db.entries.map((e) => ({ ...e.entry, name: e.name, version: e.version }));
  if (json) {
    ctx.io.out(toJson(entries.map((e) => entryToJson(e, db.kind === 'files'))));
  } else {
    ctx.io.out(entries.map((e) => `${visible(e.name)} ${visible(e.version)}\n`).join(''));
  }
  return 0;
}

// --- alpm vercmp ---------------------------------------------------------------------------

const VERCMP_OPTIONS: readonly OptionSpec[] = [{ name: 'json', help: 'print {"a", "b", "result"} as JSON' }];

export const VERCMP_HELP = `Usage: repokit alpm vercmp [options] A B

Compare two package versions ([epoch:]pkgver[-pkgrel]) exactly as pacman's vercmp does and
print -1 (A is older), 0 (equal) or 1 (A is newer). A missing pkgrel matches any pkgrel.

Options:
${formatOptions(VERCMP_OPTIONS)}

Put '--' before versions that start with '-'.
Exit status: 0 (whatever the result), 2 for a usage error.
`;

async function vercmpCommand(argv: readonly string[], ctx: Context): Promise<number> {
  const p = parseArgs(argv, VERCMP_OPTIONS, 'alpm vercmp');
  if (p.help) {
    ctx.io.out(VERCMP_HELP);
    return 0;
  }
  if (p.positionals.length !== 2) throw new UsageError(`expects two versions, got ${p.positionals.length}`, 'alpm vercmp');
  const [a, b] = p.positionals as [string, string];
  const result = vercmp(a, b);
  ctx.io.out(p.options.has('json') ? toJson({ a, b, result }) : `${result}\n`);
  return 0;
}
