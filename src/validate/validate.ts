/**
 * Strict validation of any file repokit knows: detect its kind (./detect.ts), then run that
 * format's strict checks, collecting every problem the format code can report (ALPM text files,
 * repod configurations, database entries) and one problem for a reader that stops at the first
 * (RPM, tar, plist, pkglist). Nothing here throws for bad input: a RepokitError from a reader
 * becomes a problem with its code and position.
 *
 * `validateBytes` does no file I/O of its own (the readers it calls decompress and hash at the
 * edge); `validatePath` reads the file, and for an apt-rpm release the files it lists.
 */
import { RepokitError, isRepokitError, type ErrorCode } from '../shared/errors.js';
import { decodeUtf8, isValidUtf8, toHex } from '../shared/bytes.js';
import { decompress, decompressStream } from '../shared/compression.js';
import { createHasher, type HashAlgorithm } from '../shared/hash.js';
import { nodeBuiltin } from '../shared/input.js';
import { normalizeTarPath, readTar } from '../shared/tar.js';
import { parseRpm } from '../rpm/package.js';
import { rpmMetadata, dependencies } from '../rpm/metadata.js';
import { verifyRpmSync } from '../rpm/digest.js';
import type { Header } from '../rpm/header.js';
import { decodeEntry, validateDesc, validateFiles } from '../alpm/desc.js';
import { validatePkginfo } from '../alpm/pkginfo.js';
import { validateBuildinfo } from '../alpm/buildinfo.js';
import { AlpmValidationError, type AlpmIssue } from '../alpm/validate.js';
import { readPackage } from '../alpm/package.js';
import { readSyncDb } from '../alpm/sync-db-read.js';
import { parsePlist } from '../xbps/plist-parse.js';
import { readFiles, readProps } from '../xbps/props.js';
import { tryParsePkgver } from '../xbps/pkgver.js';
import { readXbpsPackage } from '../xbps/package.js';
import { readRepodata } from '../xbps/repodata-read.js';
import type { PlistDict } from '../xbps/types.js';
import { readPkglist } from '../aptrpm/reader.js';
import { parseRelease, type ReleaseChecksum } from '../aptrpm/release.js';
import { CRPMTAG } from '../aptrpm/tags.js';
import { RepodConfigError, checkRepodConfig } from '../repod/config.js';
import type { RepodViolation } from '../repod/model.js';
import { DETECT_HEAD_BYTES, FILE_KINDS, detectFileKind, type FileKind } from './detect.js';

/**
 * Codes of problems that are not a reader's error: validation's own findings. (Every other
 * problem code is a {@link ErrorCode} from the reader that found it.)
 */
export const VALIDATE_PROBLEM_CODES = {
  VALIDATE_UNKNOWN_KIND: 'The file is none of the kinds repokit can validate.',
  VALIDATE_DIGEST_MISMATCH: 'A digest or size stored in the file does not match the data it covers.',
  VALIDATE_WARNING: 'The reader accepted something the real tool refuses, ignores or misreads.',
} as const;

/** The code of a {@link ValidationProblem}. */
export type ValidationProblemCode = ErrorCode | keyof typeof VALIDATE_PROBLEM_CODES;

/**
 * How bad a problem is. An `'error'` makes the file invalid; a `'warning'` does not: every
 * `VALIDATE_WARNING`, and the strict rules that the real tools' own output breaks while the
 * real consumer accepts it (`Missing section: %PGPSIG%` in the unsigned desc v1 entries
 * repo-add ≤ 6.0 writes).
 */
export type ValidationSeverity = 'error' | 'warning';

/** One problem, with where it is (every position field is optional). */
export interface ValidationProblem {
  code: ValidationProblemCode;
  /** `'error'` makes the result not ok; `'warning'` does not. */
  severity: ValidationSeverity;
  /** What is wrong, without the position. */
  message: string;
  /** 1-based line (text formats; inside `member` when that is set). */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** Byte offset: in the file, or for compressed formats in the decompressed data the reader names. */
  offset?: number;
  /** The section, key or header the problem belongs to (`%NAME%`, `pkgver`, `repositories -> 0 -> name`, `header 3`). */
  section?: string;
  /** The archive member or entry the problem is in (`zlib-1.3-1/desc`, `.PKGINFO`, `index.plist`). */
  member?: string;
}

/** Where a problem is: its optional position fields. */
type Where = Omit<ValidationProblem, 'code' | 'severity' | 'message'>;

/** What {@link validateBytes} and {@link validatePath} return. */
export interface ValidationResult {
  kind: FileKind;
  /** No problem of severity `'error'` (warnings allowed). */
  ok: boolean;
  problems: ValidationProblem[];
}

/** Options of {@link validateBytes}. */
export interface ValidateOptions {
  /** The file's name or path: a tie-breaker for detection, and the name some readers report. */
  name?: string;
  /** Validate as this kind instead of detecting it. */
  kind?: FileKind;
  /**
   * Reads a file the validated one refers to, by a path relative to the validated file's
   * directory (`../base/pkglist.classic` for a release in `base/`); resolves to undefined when
   * there is no such file. Used for an apt-rpm release, whose listed files are checked when
   * present. {@link validatePath} supplies one; without it nothing is read.
   */
  readRelative?: (relativePath: string) => Promise<Uint8Array | undefined>;
}

/** Options of {@link validatePath}. */
export interface ValidatePathOptions extends Omit<ValidateOptions, 'readRelative' | 'name'> {
  /** Largest file read into memory (default 1 GiB); a larger one is one `LIMIT_EXCEEDED` problem. */
  maxFileSize?: number;
  /** Check the files an apt-rpm release lists when they are beside it (default true). */
  checkListedFiles?: boolean;
}

/** Default {@link ValidatePathOptions.maxFileSize}: 1 GiB. */
export const VALIDATE_MAX_FILE_SIZE = 1024 * 1024 * 1024;

/**
 * Detect what `bytes` are (unless `options.kind` says) and validate them strictly. Never throws
 * for any input: everything wrong is a problem in the result. An `'unknown'` kind is one
 * `VALIDATE_UNKNOWN_KIND` problem.
 */
export async function validateBytes(bytes: Uint8Array, options: ValidateOptions = {}): Promise<ValidationResult> {
  const kind = options.kind ?? (await detectFileKind(bytes.subarray(0, DETECT_HEAD_BYTES), options.name));
  const problems: ValidationProblem[] = [];
  const p = new Problems(problems);
  try {
    await CHECKS[kind](bytes, p, options);
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    p.error(e);
  }
  return { kind, ok: problems.every((q) => q.severity !== 'error'), problems };
}

/**
 * Read a file and validate it (see {@link validateBytes}); the name used for detection is the
 * path's base name. For an apt-rpm release, the files it lists are checked when they are present
 * (paths relative to the parent of the release's directory, as apt resolves them). Throws only
 * when the file itself cannot be read (`IO_ERROR`; a directory is one too).
 */
export async function validatePath(path: string, options: ValidatePathOptions = {}): Promise<ValidationResult> {
  const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const nodePath = nodeBuiltin<typeof import('node:path')>('node:path');
  const max = options.maxFileSize ?? VALIDATE_MAX_FILE_SIZE;
  let bytes: Uint8Array;
  const fh = await fs.open(path, 'r').catch((e: unknown) => {
    throw ioError(path, e);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw ioError(path, undefined, 'not a regular file');
    if (st.size > max) {
      const head = new Uint8Array(DETECT_HEAD_BYTES);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      const kind = options.kind ?? (await detectFileKind(head.subarray(0, bytesRead), path));
      return { kind, ok: false, problems: [{ code: 'LIMIT_EXCEEDED', severity: 'error', message: `the file is ${st.size} bytes, more than the limit of ${max}` }] };
    }
    const b = await fh.readFile();
    bytes = new Uint8Array(b.buffer, b.byteOffset, b.length);
  } catch (e) {
    if (isRepokitError(e)) throw e;
    throw ioError(path, e);
  } finally {
    await fh.close().catch(() => undefined);
  }
  const dir = nodePath.dirname(path);
  const readRelative = async (rel: string): Promise<Uint8Array | undefined> => {
    // Paths come from the file being validated (the release check drops absolute paths and `..`
    // before adding its own `../`): no absolute path, no NUL, only regular files.
    if (rel === '' || rel.startsWith('/') || rel.includes('\0')) return undefined;
    const target = nodePath.resolve(dir, rel);
    try {
      const st = await fs.stat(target);
      if (!st.isFile() || st.size > max) return undefined;
      const b = await fs.readFile(target);
      return new Uint8Array(b.buffer, b.byteOffset, b.length);
    } catch {
      return undefined;
    }
  };
  const vo: ValidateOptions = { name: path };
  if (options.kind !== undefined) vo.kind = options.kind;
  if (options.checkListedFiles !== false) vo.readRelative = readRelative;
  return validateBytes(bytes, vo);
}

function ioError(path: string, e: unknown, why?: string): RepokitError {
  const sys = e as { code?: unknown; syscall?: unknown } | undefined;
  const msg = why ?? (typeof sys?.code === 'string' ? `cannot ${typeof sys.syscall === 'string' ? sys.syscall : 'read'}: ${sys.code}` : String(e));
  return new RepokitError('IO_ERROR', msg, { file: path, cause: e });
}

/** The kinds `--kind` and `options.kind` accept (every kind but 'unknown'). */
export const VALIDATABLE_KINDS: readonly FileKind[] = FILE_KINDS.filter((k) => k !== 'unknown');

// ---------------------------------------------------------------------------------------------
// Collecting problems

class Problems {
  constructor(readonly list: ValidationProblem[]) {}

  add(code: ValidationProblemCode, message: string, where: Where = {}, severity: ValidationSeverity = code === 'VALIDATE_WARNING' ? 'warning' : 'error'): void {
    const p: ValidationProblem = { code, severity, message };
    if (where.line !== undefined) p.line = where.line;
    if (where.column !== undefined) p.column = where.column;
    if (where.offset !== undefined) p.offset = where.offset;
    if (where.section !== undefined) p.section = where.section;
    if (where.member !== undefined) p.member = where.member;
    this.list.push(p);
  }

  /** A reader's error: its own problem list when it carries one, else one problem. */
  error(e: RepokitError, member?: string): void {
    if (e instanceof AlpmValidationError) {
      this.issues(e.code, e.problems, member);
      return;
    }
    if (e instanceof RepodConfigError) {
      this.violations(e.violations);
      return;
    }
    const where: Where = {};
    if (e.line !== undefined) where.line = e.line;
    if (e.column !== undefined) where.column = e.column;
    if (e.offset !== undefined) where.offset = e.offset;
    if (member !== undefined) where.member = member;
    this.add(e.code, e.detail, where);
  }

  /** ALPM issues; `member` names the entry member they are in (their own `file` label is replaced). */
  issues(code: ErrorCode, issues: readonly AlpmIssue[], member?: string): void {
    for (const i of issues) {
      const where: Where = {};
      if (i.line !== undefined) where.line = i.line;
      if (i.column !== undefined) where.column = i.column;
      if (i.section !== undefined) where.section = i.section;
      if (member !== undefined) where.member = member;
      if (code === 'ALPM_BAD_DESC' && isUnsignedV1(i)) this.add(code, UNSIGNED_V1_MESSAGE, where, 'warning');
      else this.add(code, i.message, where);
    }
  }

  violations(vs: readonly RepodViolation[], code: ValidationProblemCode = 'REPOD_INVALID_CONFIG'): void {
    for (const v of vs) {
      const repo = v.repository === undefined ? '' : ` (repository #${v.repository.index} '${v.repository.name}')`;
      const rel = v.related === undefined ? '' : ` [conflicts with ${v.related.key} of repository #${v.related.index} '${v.related.name}']`;
      this.add(code, `${v.msg}${rel}`, { section: `${v.key ?? v.loc}${repo}` });
    }
  }

  /** Run `fn`; a RepokitError it throws becomes a problem (and `fn`'s result is undefined). */
  try<T>(fn: () => T, member?: string): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!isRepokitError(e)) throw e;
      this.error(e, member);
      return undefined;
    }
  }

  async tryAsync<T>(fn: () => Promise<T>, member?: string): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (!isRepokitError(e)) throw e;
      this.error(e, member);
      return undefined;
    }
  }
}

/**
 * The one strict desc rule that repo-add's own output breaks: desc v1 (it has `%MD5SUM%`)
 * requires `%PGPSIG%`, but repo-add ≤ 6.0 writes v1 entries without it for every package that
 * has no `.sig`, and pacman reads them. A warning, then, not an error.
 */
function isUnsignedV1(i: AlpmIssue): boolean {
  return i.line === undefined && i.message === 'Missing section: %PGPSIG% (required in desc version 1)';
}

const UNSIGNED_V1_MESSAGE =
  'Missing section: %PGPSIG% (required in desc version 1; repo-add 6.0 and older leave it out for packages without a .sig, and pacman accepts that)';

type Check = (bytes: Uint8Array, p: Problems, options: ValidateOptions) => Promise<void> | void;

const CHECKS: Record<FileKind, Check> = {
  rpm: checkRpm,
  'alpm-package': checkAlpmPackage,
  'alpm-db': checkAlpmDb,
  'alpm-desc': checkAlpmDesc,
  pkginfo: (b, p) => p.issues('ALPM_BAD_PKGINFO', p.try(() => validatePkginfo(b)) ?? []),
  buildinfo: (b, p) => p.issues('ALPM_BAD_BUILDINFO', p.try(() => validateBuildinfo(b)) ?? []),
  'xbps-package': checkXbpsPackage,
  'xbps-repodata': checkXbpsRepodata,
  plist: checkPlist,
  'aptrpm-pkglist': (b, p) => checkHeaderList(b, p, 'pkglist'),
  'aptrpm-srclist': (b, p) => checkHeaderList(b, p, 'srclist'),
  'aptrpm-release': checkRelease,
  'repod-conf': checkRepodConf,
  unknown: (_b, p) => p.add('VALIDATE_UNKNOWN_KIND', `not a file repokit can validate (none of ${VALIDATABLE_KINDS.join(', ')})`),
};

// ---------------------------------------------------------------------------------------------
// RPM

function checkRpm(bytes: Uint8Array, p: Problems): void {
  const pkg = p.try(() => parseRpm(bytes, { profile: 'strict' }));
  if (pkg === undefined) return;
  // Dependency triplets and file arrays are checked when the metadata is read (C1, C2).
  p.try(() => rpmMetadata(pkg));
  const verified = p.try(() => verifyRpmSync(bytes, { profile: 'strict' }));
  for (const d of verified?.digests ?? []) {
    if (d.ok === false) {
      p.add('VALIDATE_DIGEST_MISMATCH', `${d.name}: expected ${d.expected}, computed ${d.actual ?? '?'} over bytes ${d.range[0]}..${d.range[1]}`, {
        offset: d.range[0],
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ALPM

const DEPENDS_SECTIONS = new Set(['%DEPENDS%', '%CONFLICTS%', '%PROVIDES%', '%OPTDEPENDS%', '%MAKEDEPENDS%', '%CHECKDEPENDS%', '%REPLACES%']);

/** Which of desc, depends and files a text is: its first section, else its name. */
function descFlavour(text: string, name: string | undefined): 'desc' | 'depends' | 'files' {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const first = text.split('\n').find((l) => l.trim() !== '')?.replace(/\r$/, '');
  if (first === '%FILES%' || first === '%BACKUP%') return 'files';
  if (base === 'files' || base.endsWith('.files')) return 'files';
  if (base === 'depends' || base.endsWith('.depends')) return 'depends';
  if (first !== undefined && DEPENDS_SECTIONS.has(first) && !/^%(FILENAME|NAME|VERSION)%$/m.test(text)) return 'depends';
  return 'desc';
}

function checkAlpmDesc(bytes: Uint8Array, p: Problems, options: ValidateOptions): void {
  const text = decodeUtf8(bytes, 0, bytes.length);
  const flavour = descFlavour(text, options.name);
  if (flavour === 'files') p.issues('ALPM_BAD_FILES', p.try(() => validateFiles(bytes)) ?? []);
  else if (flavour === 'desc') p.issues('ALPM_BAD_DESC', p.try(() => validateDesc(bytes)) ?? []);
  else checkDepends(bytes, text, p);
}

/**
 * A lone `depends` (pacman 4.x, xpkg): desc's section grammar, only the dependency sections, and
 * none required (the entry's required sections live in its desc).
 */
function checkDepends(bytes: Uint8Array, text: string, p: Problems): void {
  const problems: AlpmIssue[] = [];
  try {
    decodeEntry({ depends: bytes }, { mode: 'strict' });
  } catch (e) {
    if (!(e instanceof AlpmValidationError)) throw e;
    problems.push(...e.problems.filter((i) => !(i.line === undefined && i.message.startsWith('Missing section:'))));
  }
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if ((i === 0 || lines[i - 1] === '') && /^%[A-Z0-9]+%$/.test(line) && !DEPENDS_SECTIONS.has(line) && line !== '%FILES%') {
      problems.push({ line: i + 1, section: line, message: `${line} does not belong in a depends file (only ${[...DEPENDS_SECTIONS].join(' ')})` });
    }
  });
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  p.issues('ALPM_BAD_DESC', problems);
}

async function checkAlpmPackage(bytes: Uint8Array, p: Problems): Promise<void> {
  const pkg = await p.tryAsync(() => readPackage(bytes, { filename: 'package.pkg.tar' }));
  if (pkg === undefined) return;
  p.issues('ALPM_BAD_PKGINFO', p.try(() => validatePkginfo(pkg.pkginfoText), '.PKGINFO') ?? [], '.PKGINFO');
  if (!pkg.metadataFiles.includes('.BUILDINFO')) return;
  // readPackage keeps only .PKGINFO: walk the archive again for .BUILDINFO.
  await p.tryAsync(async () => {
    for await (const m of readTar(decompressStream(once(bytes)), { wantData: (e) => normalizeTarPath(e.name) === '.BUILDINFO', maxMemberSize: 1024 * 1024 })) {
      if (m.data === undefined) continue;
      p.issues('ALPM_BAD_BUILDINFO', p.try(() => validateBuildinfo(m.data!), '.BUILDINFO') ?? [], '.BUILDINFO');
      break;
    }
  }, '.BUILDINFO');
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

async function checkAlpmDb(bytes: Uint8Array, p: Problems, options: ValidateOptions): Promise<void> {
  const base = (options.name ?? '').split(/[/\\]/).pop();
  const db = await p.tryAsync(() => readSyncDb(bytes, base === undefined || base === '' ? { keepRaw: true } : { name: base, keepRaw: true }));
  if (db === undefined) return;
  for (const w of db.warnings) p.add('VALIDATE_WARNING', w.message, w.section === undefined ? {} : { section: w.section });
  for (const e of db.entries) {
    const { desc, depends, files } = e.raw;
    if (desc === undefined) {
      p.add('ALPM_BAD_DESC', 'the entry has no desc member (libalpm cannot read it)', { member: `${e.dir}/` });
      continue;
    }
    try {
      decodeEntry({ desc, ...(depends !== undefined ? { depends } : {}), ...(files !== undefined ? { files } : {}) }, { mode: 'strict', dirName: e.dir });
    } catch (err) {
      if (!(err instanceof AlpmValidationError)) {
        if (!isRepokitError(err)) throw err;
        p.error(err, `${e.dir}/desc`);
        continue;
      }
      const single = depends === undefined && files === undefined;
      // Each issue names the member it is in ('desc', 'depends', 'files'); whole-entry ones belong
      // to desc. Members in that order, each by line (the error sorts them by line alone).
      const partOf = (i: AlpmIssue): string => (single ? 'desc' : (i.file ?? 'desc'));
      const order = ['desc', 'depends', 'files'];
      const issues = err.problems.map((issue, n) => ({ issue, n, part: partOf(issue) }));
      issues.sort((a, b) => order.indexOf(a.part) - order.indexOf(b.part) || a.n - b.n);
      for (const { issue, part } of issues) p.issues(part === 'files' ? 'ALPM_BAD_FILES' : 'ALPM_BAD_DESC', [issue], `${e.dir}/${part}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// XBPS

function checkPkgver(pkgver: string, p: Problems, where: Where): void {
  if (tryParsePkgver(pkgver) === undefined) p.add('XBPS_BAD_PKGVER', `pkgver ${JSON.stringify(pkgver)} is not name-version_revision`, where);
}

/** props.plist (or an index entry): readProps' type checks, a valid pkgver, pkgname/version agreeing with it. */
function checkPropsDict(dict: PlistDict, p: Problems, member: string | undefined, section?: string): void {
  const where: Where = {};
  if (member !== undefined) where.member = member;
  if (section !== undefined) where.section = section;
  let props: ReturnType<typeof readProps> | undefined;
  try {
    props = readProps(dict);
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    p.add(e.code, e.detail, where);
    return;
  }
  const stored = dict.get('pkgver');
  if (typeof stored === 'string') {
    checkPkgver(stored, p, where);
    const parsed = tryParsePkgver(stored);
    const name = dict.get('pkgname');
    const version = dict.get('version');
    if (parsed !== undefined && typeof name === 'string' && name !== parsed.name) {
      p.add('XBPS_BAD_PROPS', `pkgname ${JSON.stringify(name)} differs from the pkgver's name ${JSON.stringify(parsed.name)}`, where);
    }
    if (parsed !== undefined && typeof version === 'string' && version !== parsed.version) {
      p.add('XBPS_BAD_PROPS', `version ${JSON.stringify(version)} differs from the pkgver's version ${JSON.stringify(parsed.version)}`, where);
    }
  }
  if (props.architecture === '') p.add('XBPS_BAD_PROPS', 'architecture is empty', where);
}

async function checkXbpsPackage(bytes: Uint8Array, p: Problems): Promise<void> {
  const pkg = await p.tryAsync(() => readXbpsPackage(bytes));
  if (pkg === undefined) return;
  checkPropsDict(pkg.props, p, 'props.plist');
  if (pkg.files !== undefined) {
    const files = pkg.files;
    p.try(() => readFiles(files), 'files.plist');
  }
}

async function checkXbpsRepodata(bytes: Uint8Array, p: Problems): Promise<void> {
  const repo = await p.tryAsync(() => readRepodata(bytes));
  if (repo === undefined) return;
  for (const w of repo.warnings) p.add('VALIDATE_WARNING', w);
  const member = repo.members.length > 0 ? 'index.plist' : undefined;
  for (const [where, map] of [[member, repo.index], [repo.members.length > 0 ? 'stage.plist' : undefined, repo.stage]] as const) {
    for (const [key, e] of map) {
      checkPropsDict(e.dict, p, where, key);
      const parsed = tryParsePkgver(e.pkgver);
      if (parsed !== undefined && parsed.name !== key && repo.layout !== 'index-1.4') {
        p.add('XBPS_BAD_ENTRY', `the entry is filed under ${JSON.stringify(key)} but its pkgver is ${JSON.stringify(e.pkgver)}`, {
          ...(where !== undefined ? { member: where } : {}),
          section: key,
        });
      }
    }
  }
}

function checkPlist(bytes: Uint8Array, p: Problems): void {
  const root = p.try(() => parsePlist(bytes));
  if (!(root instanceof Map)) return;
  // A props.plist or files.plist gets its typed checks; any other dictionary only the syntax.
  if (root.has('pkgver') && root.has('architecture')) checkPropsDict(root, p, undefined);
  else if (['files', 'dirs', 'links', 'conf_files'].some((k) => Array.isArray(root.get(k)))) p.try(() => readFiles(root));
}

// ---------------------------------------------------------------------------------------------
// apt-rpm

const HEX = { md5: /^[0-9a-f]{32}$/, blake2b: /^[0-9a-f]{128}$/ };

async function checkHeaderList(bytes: Uint8Array, p: Problems, what: 'pkglist' | 'srclist'): Promise<void> {
  await p.tryAsync(async () => {
    // rpm's profile: the strict one demands a region, which list headers never have (genpkglist
    // writes them without one).
    for await (const { header, index, offset } of readPkglist(bytes)) {
      checkListHeader(header, index, offset, p, what);
    }
  });
}

/** What apt needs of each header: the identity tags, where the file is, its size and digests. */
function checkListHeader(h: Header, index: number, offset: number, p: Problems, what: 'pkglist' | 'srclist'): void {
  const name = h.has(1000) ? h.getString(1000) : undefined;
  const section = `header ${index}${name !== undefined ? ` (${name})` : ''}`;
  const at = (tag: number): number => (h.entry(tag) === undefined ? offset : h.base + h.dataStart + h.entry(tag)!.offset);
  const required: [number, string][] = [
    [1001, 'VERSION'],
    [1002, 'RELEASE'],
    [1022, 'ARCH'],
    [CRPMTAG.FILENAME, 'CRPMTAG_FILENAME'],
    [CRPMTAG.FILESIZE, 'CRPMTAG_FILESIZE'],
    [CRPMTAG.DIRECTORY, 'CRPMTAG_DIRECTORY'],
    [CRPMTAG.MD5, 'CRPMTAG_MD5'],
  ];
  for (const [tag, tagName] of required) {
    if (!h.has(tag)) p.add('APTRPM_BAD_PKGLIST', `no ${tagName} (${tag}): apt cannot ${tag >= 1000000 ? 'fetch or check the package' : 'identify the package'}`, { offset, section });
  }
  const stringOf = (tag: number): string | undefined => {
    if (!h.has(tag)) return undefined;
    const v = p.try(() => h.getString(tag));
    if (v === undefined) p.add('APTRPM_BAD_PKGLIST', `tag ${tag} is not a string`, { offset: at(tag), section });
    return v;
  };
  const md5 = stringOf(CRPMTAG.MD5);
  if (md5 !== undefined && !HEX.md5.test(md5)) p.add('APTRPM_BAD_PKGLIST', `CRPMTAG_MD5 ${JSON.stringify(md5.slice(0, 80))} is not 32 lowercase hex digits`, { offset: at(CRPMTAG.MD5), section });
  const b2 = stringOf(CRPMTAG.BLAKE2B);
  if (b2 !== undefined && !HEX.blake2b.test(b2)) p.add('APTRPM_BAD_PKGLIST', `CRPMTAG_BLAKE2B ${JSON.stringify(b2.slice(0, 80))} is not 128 lowercase hex digits`, { offset: at(CRPMTAG.BLAKE2B), section });
  const file = stringOf(CRPMTAG.FILENAME);
  if (file !== undefined && (file === '' || file.includes('/'))) p.add('APTRPM_BAD_PKGLIST', `CRPMTAG_FILENAME ${JSON.stringify(file)} is not a plain file name`, { offset: at(CRPMTAG.FILENAME), section });
  const dir = stringOf(CRPMTAG.DIRECTORY);
  if (dir !== undefined) {
    const expected = what === 'srclist' ? /^\.\.?\/SRPMS\.[^/]+$/ : /^RPMS\.[^/]+$/;
    if (!expected.test(dir)) {
      p.add('APTRPM_BAD_PKGLIST', `CRPMTAG_DIRECTORY ${JSON.stringify(dir)} is not ${what === 'srclist' ? '../SRPMS.<component>' : 'RPMS.<component>'}`, { offset: at(CRPMTAG.DIRECTORY), section });
    }
  }
  if (h.has(CRPMTAG.FILESIZE) && p.try(() => h.getNumber(CRPMTAG.FILESIZE)) === undefined) {
    p.add('APTRPM_BAD_PKGLIST', 'CRPMTAG_FILESIZE is not a number', { offset: at(CRPMTAG.FILESIZE), section });
  }
  if (what === 'pkglist' && !h.has(1044)) p.add('APTRPM_BAD_PKGLIST', 'no SOURCERPM (1044): genpkglist refuses such a package ("invalid binary package")', { offset, section });
  for (const kind of ['provides', 'requires', 'conflicts', 'obsoletes']) {
    try {
      dependencies(h, kind);
    } catch (e) {
      if (!isRepokitError(e)) throw e;
      p.add(e.code, e.detail, { ...(e.offset !== undefined ? { offset: e.offset } : { offset }), section });
    }
  }
}

async function checkRelease(bytes: Uint8Array, p: Problems, options: ValidateOptions): Promise<void> {
  if (!isValidUtf8(bytes)) p.add('APTRPM_BAD_RELEASE', 'the release is not valid UTF-8');
  const release = p.try(() => parseRelease(bytes));
  if (release === undefined) return;
  const md5Line = lineOf(bytes, 'MD5Sum:');
  const b2Line = lineOf(bytes, 'BLAKE2b:');
  const lineWhere = (line: number | undefined, section: string): Where => (line === undefined ? { section } : { line, section });
  const isGlobal = release.fields.has('MD5Sum') || release.fields.has('Suite') || release.fields.has('Components');
  const required = isGlobal ? ['Origin', 'Label', 'MD5Sum'] : ['Archive', 'Component', 'Origin', 'Label', 'Architecture'];
  for (const f of required) if (!release.fields.has(f)) p.add('APTRPM_BAD_RELEASE', `no ${f} field (genbasedir writes it${f === 'MD5Sum' ? '; apt checks nothing without it' : ''})`, { section: f });
  const dup = (list: readonly ReleaseChecksum[], name: string, line: number | undefined): void => {
    const seen = new Set<string>();
    for (const c of list) {
      if (seen.has(c.path)) p.add('APTRPM_BAD_RELEASE', `${c.path} is listed twice`, lineWhere(line, name));
      seen.add(c.path);
      if (c.path.startsWith('/') || c.path.split('/').includes('..')) p.add('APTRPM_BAD_RELEASE', `path ${JSON.stringify(c.path)} leaves the dist directory`, lineWhere(line, name));
    }
  };
  dup(release.md5, 'MD5Sum', md5Line);
  dup(release.blake2b, 'BLAKE2b', b2Line);
  if (release.blake2b.length > 0) {
    const md5 = new Map(release.md5.map((c) => [c.path, c.size]));
    for (const c of release.blake2b) {
      const size = md5.get(c.path);
      if (size === undefined) p.add('APTRPM_BAD_RELEASE', `${c.path} is in BLAKE2b but not in MD5Sum`, lineWhere(b2Line, 'BLAKE2b'));
      else if (size !== c.size) p.add('APTRPM_BAD_RELEASE', `${c.path}: size ${c.size} in BLAKE2b, ${size} in MD5Sum`, lineWhere(b2Line, 'BLAKE2b'));
    }
  }
  if (options.readRelative === undefined) return;
  // The listed paths are relative to the dist directory, the parent of base/ where the release is.
  const read = options.readRelative;
  const b2 = new Map(release.blake2b.map((c) => [c.path, c]));
  for (const c of release.md5) {
    if (c.path.startsWith('/') || c.path.split('/').includes('..')) continue;
    let data = await read(`../${c.path}`);
    let via = '';
    if (data === undefined) {
      // An unpublished plain list is checked through its compressed form, as apt does.
      for (const ext of ['.xz', '.bz2']) {
        if (release.md5.some((o) => o.path === c.path + ext)) {
          const packed = await read(`../${c.path}${ext}`);
          if (packed === undefined) continue;
          data = await p.tryAsync(() => decompress(packed, { maxOutput: Math.max(c.size, 0) + 1 }), c.path + ext);
          via = ` (decompressed from ${c.path}${ext})`;
          break;
        }
      }
    }
    if (data === undefined) continue;
    const where = lineWhere(md5Line, 'MD5Sum');
    where.member = c.path;
    if (data.length !== c.size) {
      p.add('VALIDATE_DIGEST_MISMATCH', `${c.path}${via} is ${data.length} bytes, the release says ${c.size}`, where);
      continue;
    }
    if (digest('md5', data) !== c.hash) p.add('VALIDATE_DIGEST_MISMATCH', `${c.path}${via}: MD5 differs from the release's`, where);
    const b = b2.get(c.path);
    if (b !== undefined && digest('blake2b512', data) !== b.hash) {
      p.add('VALIDATE_DIGEST_MISMATCH', `${c.path}${via}: BLAKE2b differs from the release's`, { ...lineWhere(b2Line, 'BLAKE2b'), member: c.path });
    }
  }
}

function digest(algorithm: HashAlgorithm, data: Uint8Array): string {
  const h = createHasher(algorithm);
  h.update(data);
  return toHex(h.digest());
}

/** 1-based line of the first line starting with `prefix`. */
function lineOf(bytes: Uint8Array, prefix: string): number | undefined {
  const lines = decodeUtf8(bytes, 0, bytes.length).split('\n');
  const i = lines.findIndex((l) => l.startsWith(prefix));
  return i < 0 ? undefined : i + 1;
}

// ---------------------------------------------------------------------------------------------
// repod

function checkRepodConf(bytes: Uint8Array, p: Problems, options: ValidateOptions): void {
  if (!isValidUtf8(bytes)) {
    p.add('REPOD_TOML_SYNTAX', 'the file is not valid UTF-8 (repod reads its configuration as UTF-8)');
    return;
  }
  const text = decodeUtf8(bytes, 0, bytes.length);
  const file = options.name;
  // System mode and no environment: the result depends on the file alone.
  const r = p.try(() => checkRepodConfig([file === undefined ? { text } : { text, file }], { mode: 'system', settingsFromEnv: false }));
  if (r === undefined) return;
  p.violations(r.violations);
  p.violations(r.warnings, 'VALIDATE_WARNING');
}
