/**
 * What a file is, by its content: the magic bytes of RPM packages and RPM header blobs, the
 * member names at the start of a tar (pacman package, sync database, xbps package, xbps
 * repodata), and the shape of the first lines of the text formats. A compressed input is sniffed
 * and a bounded prefix of it decompressed to look inside. The file name is used only where the
 * content cannot decide (an empty file, `.PKGINFO` vs `.BUILDINFO` with only shared keys, a pkgdb
 * plist vs a legacy xbps index).
 *
 * Pure: no Node imports at load time (decompression loads its codecs when first used).
 */
import { isRepokitError } from '../shared/errors.js';
import { decodeUtf8 } from '../shared/bytes.js';
import { decompressStream, sniffCompression, SNIFF_BYTES } from '../shared/compression.js';
import { normalizeTarPath, parseTar } from '../shared/tar.js';
import { parseHeader } from '../rpm/header.js';

/** What {@link detectFileKind} can recognise. */
export type FileKind =
  | 'rpm'
  | 'alpm-package'
  | 'alpm-db'
  | 'alpm-desc'
  | 'pkginfo'
  | 'buildinfo'
  | 'xbps-package'
  | 'xbps-repodata'
  | 'plist'
  | 'aptrpm-pkglist'
  | 'aptrpm-srclist'
  | 'aptrpm-release'
  | 'repod-conf'
  | 'unknown';

/** Every kind, in the order the docs list them ('unknown' last). */
export const FILE_KINDS: readonly FileKind[] = [
  'rpm',
  'alpm-package',
  'alpm-db',
  'alpm-desc',
  'pkginfo',
  'buildinfo',
  'xbps-package',
  'xbps-repodata',
  'plist',
  'aptrpm-pkglist',
  'aptrpm-srclist',
  'aptrpm-release',
  'repod-conf',
  'unknown',
];

/** How many leading bytes of a file {@link detectFileKind} wants (more are ignored). */
export const DETECT_HEAD_BYTES = 64 * 1024;

/**
 * Most compressed bytes fed to the decoder when the first {@link DETECT_HEAD_BYTES} gave no output
 * (an xz, bzip2 or lz4 block larger than that, which these decoders do not decode in part).
 */
const RETRY_HEAD_BYTES = 16 * 1024 * 1024;

/** Most bytes decompressed from a compressed head to look inside it. */
const INNER_BYTES = 256 * 1024;

/** How many tar members are looked at. */
const TAR_MEMBERS = 8;

/**
 * Detect what a file is from its first bytes: give at least {@link DETECT_HEAD_BYTES} (or the
 * whole file when it is shorter). Compressed inputs are looked into with the shared decoders
 * (every compression pacman reads; lzop and lrzip through their programs): gzip, zstd and .Z
 * decode from any head, but xz, bzip2, lz4 and lzip only once a whole block (or member) is there,
 * so for them up to 16 MiB of `head` is used when 64 KiB gave nothing (pass more, or the whole
 * file, to let it see inside). When the inside cannot be seen (a block that does not fit, a
 * missing lzop/lrzip program), the name decides (`.pkg.tar.xz` is an `alpm-package`, ...).
 * `name` (a base name or path) is otherwise only a tie-breaker where the content is ambiguous.
 *
 * Never throws for any input (a RepokitError from a decoder only ends the look inside).
 */
export async function detectFileKind(head: Uint8Array, name?: string): Promise<FileKind> {
  const base = baseName(name);
  const bytes = head.subarray(0, DETECT_HEAD_BYTES);
  const compression = sniffCompression(bytes.subarray(0, SNIFF_BYTES));
  if (compression === 'none') return detectPlain(bytes, base, false);
  // A compression the shared decoders do not support gives UNSUPPORTED_COMPRESSION, hence no output.
  let inner = await decompressPrefix(bytes, INNER_BYTES);
  if (inner.length === 0 && head.length > bytes.length) inner = await decompressPrefix(head.subarray(0, RETRY_HEAD_BYTES), INNER_BYTES);
  if (inner.length === 0) return kindFromArchiveName(base);
  return detectPlain(inner, base, true);
}

/**
 * {@link detectFileKind} for bytes that are already decompressed (synchronous): no sniffing and
 * no look inside compressed data.
 */
export function detectUncompressedKind(head: Uint8Array, name?: string): FileKind {
  return detectPlain(head.subarray(0, Math.max(DETECT_HEAD_BYTES, INNER_BYTES)), baseName(name), false);
}

function baseName(name: string | undefined): string {
  if (typeof name !== 'string') return '';
  const parts = name.split(/[/\\]/);
  return parts[parts.length - 1] ?? '';
}

/** Decompress up to `max` bytes of a (possibly cut) compressed head; what came out before an error is kept. */
async function decompressPrefix(head: Uint8Array, max: number): Promise<Uint8Array> {
  const out = new Uint8Array(max);
  let n = 0;
  try {
    for await (const chunk of decompressStream(once(head), { maxOutput: Number.MAX_SAFE_INTEGER })) {
      const take = Math.min(chunk.length, max - n);
      out.set(chunk.subarray(0, take), n);
      n += take;
      if (n >= max) break;
    }
  } catch (e) {
    // A head cut in the middle of a stream ends in TRUNCATED or CORRUPT_COMPRESSED_DATA.
    if (!isRepokitError(e)) throw e;
  }
  return out.subarray(0, n);
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

// ---------------------------------------------------------------------------------------------

function detectPlain(b: Uint8Array, base: string, wasCompressed: boolean): FileKind {
  if (b.length >= 4 && b[0] === 0xed && b[1] === 0xab && b[2] === 0xee && b[3] === 0xdb) return 'rpm';
  if (b.length >= 4 && b[0] === 0x8e && b[1] === 0xad && b[2] === 0xe8 && b[3] === 0x01) return headerListKind(b, base);
  if (b.length >= 512) {
    const tar = tarKind(b, base);
    if (tar !== undefined) return tar;
  }
  if (b.length === 0) return wasCompressed ? kindFromArchiveName(base) : kindFromEmptyName(base);
  return textKind(b, base, wasCompressed);
}

// --- RPM header blobs: pkglist or srclist ---

function headerListKind(b: Uint8Array, base: string): FileKind {
  const byName = /^srclist/i.test(base) ? 'aptrpm-srclist' : 'aptrpm-pkglist';
  if (b.length < 16) return byName;
  const il = ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0;
  const dl = ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
  const total = 16 + 16 * il + dl;
  if (il > 0xffff || dl > 0x0fffffff || total > b.length) return byName;
  try {
    const h = parseHeader(b.subarray(0, total), { kind: 'blob' });
    // gensrclist writes CRPMTAG_BINARY and a DIRECTORY of ../SRPMS.<component> (./ when flat);
    // a source header has no SOURCERPM.
    const dir = h.has(1000010) ? h.getString(1000010) : undefined;
    if (h.has(1000011) || (dir !== undefined && /^\.\.?\/SRPMS\./.test(dir))) return 'aptrpm-srclist';
    if (h.has(1044) || (dir !== undefined && dir.startsWith('RPMS.'))) return 'aptrpm-pkglist';
    return byName;
  } catch (e) {
    if (!isRepokitError(e)) throw e;
    return byName;
  }
}

// --- tar archives ---

const ALPM_META = new Set(['.PKGINFO', '.BUILDINFO', '.MTREE', '.INSTALL', '.CHANGELOG']);
const XBPS_PACKAGE_MEMBERS = new Set(['props.plist', 'files.plist']);
const XBPS_REPODATA_MEMBERS = new Set(['index.plist', 'index-meta.plist', 'stage.plist', 'index-files.plist']);
const DB_MEMBER = /^[^/]+-[^/-]+-[^/-]+\/(desc|depends|files)?$/;

/** The kind of a tar by its first member names; undefined when `b` does not start with a tar header. */
function tarKind(b: Uint8Array, base: string): FileKind | undefined {
  if (!looksLikeTarHeader(b)) return undefined;
  const names: string[] = [];
  try {
    for (const m of parseTar(b, { wantData: () => false, maxMembers: 1_000_000 })) {
      names.push(m.entry.type === 'directory' && !m.entry.name.endsWith('/') ? `${m.entry.name}/` : m.entry.name);
      if (names.length >= TAR_MEMBERS) break;
    }
  } catch (e) {
    // The head ends inside the archive, or a later header is bad: the names so far decide.
    if (!isRepokitError(e)) throw e;
  }
  for (const raw of names) {
    const n = normalizeTarPath(raw);
    if (ALPM_META.has(n)) return 'alpm-package';
    if (XBPS_PACKAGE_MEMBERS.has(n) || n === 'INSTALL' || n === 'REMOVE') return 'xbps-package';
    if (XBPS_REPODATA_MEMBERS.has(n)) return 'xbps-repodata';
    if (DB_MEMBER.test(raw.replace(/^(\.\/)+/, ''))) return 'alpm-db';
  }
  if (names.length === 0) {
    if (!isZeroBlock(b, 0)) return undefined;
    // An empty archive (only end blocks), as repo-add writes for an empty repository.
    const byName = kindFromArchiveName(base);
    return byName === 'alpm-db' || byName === 'xbps-repodata' ? byName : 'unknown';
  }
  return kindFromArchiveName(base);
}

function isZeroBlock(b: Uint8Array, at: number): boolean {
  if (b.length < at + 512) return false;
  for (let i = at; i < at + 512; i++) if (b[i] !== 0) return false;
  return true;
}

/** A tar header checksum that adds up (ustar, GNU and v7 alike), or an all-zero end block. */
function looksLikeTarHeader(b: Uint8Array): boolean {
  if (b.length < 512) return false;
  if (isZeroBlock(b, 0)) return isZeroBlock(b, 512) || b.length === 512;
  let stored = 0;
  let digits = 0;
  for (let i = 148; i < 156; i++) {
    const c = b[i]!;
    if (c >= 0x30 && c <= 0x37) {
      stored = stored * 8 + (c - 0x30);
      digits++;
    } else if (c !== 0x20 && c !== 0) return false;
    else if (digits > 0) break;
  }
  if (digits === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return sum === stored;
}

/** What an archive's file name says it is (for inputs whose content cannot be looked into). */
function kindFromArchiveName(base: string): FileKind {
  if (/\.pkg\.tar(\.[A-Za-z0-9]+)?$/.test(base)) return 'alpm-package';
  if (/\.(db|files)(\.tar(\.[A-Za-z0-9]+)?)?$/.test(base)) return 'alpm-db';
  if (/\.xbps$/.test(base)) return 'xbps-package';
  if (/-(repodata|stagedata)$/.test(base)) return 'xbps-repodata';
  if (/^pkglist\b/.test(base)) return 'aptrpm-pkglist';
  if (/^srclist\b/.test(base)) return 'aptrpm-srclist';
  return 'unknown';
}

/** What an empty (0-byte) file is by its name: several formats have a valid empty form. */
function kindFromEmptyName(base: string): FileKind {
  const text = textKindFromName(base);
  if (text !== undefined) return text;
  return kindFromArchiveName(base);
}

function textKindFromName(base: string): FileKind | undefined {
  if (base === 'desc' || base === 'depends' || base === 'files' || /\.(desc|depends|files)$/.test(base)) return 'alpm-desc';
  if (base === '.PKGINFO' || /\.pkginfo$/i.test(base)) return 'pkginfo';
  if (base === '.BUILDINFO' || /\.buildinfo$/i.test(base)) return 'buildinfo';
  if (/\.plist$/.test(base)) return 'plist';
  if (/^repod\.conf$/.test(base) || /\.conf$/.test(base)) return 'repod-conf';
  if (/^release(\.|$)/.test(base)) return 'aptrpm-release';
  return undefined;
}

// --- text formats ---

const RELEASE_FIELDS = new Set([
  'Origin', 'Label', 'Suite', 'Codename', 'Date', 'Architectures', 'Components', 'Description', 'MD5Sum', 'BLAKE2b',
  'Archive', 'Component', 'Version', 'Architecture', 'NotAutomatic', 'ButAutomaticUpgrades', 'SHA1', 'SHA256',
]);
const REPOD_KEYS = new Set([
  'architecture', 'archiving', 'build_requirements_exist', 'database_compression', 'management_repo', 'package_pool',
  'package_verification', 'repositories', 'source_pool', 'syncdb_settings',
]);
const PKGINFO_ONLY = new Set([
  'pkgdesc', 'url', 'size', 'arch', 'license', 'depend', 'optdepend', 'makedepend', 'checkdepend', 'provides',
  'conflict', 'replaces', 'group', 'backup', 'xdata', 'makepkgopt', 'basever', 'force',
]);
const BUILDINFO_ONLY = new Set([
  'format', 'pkgarch', 'pkgbuild_sha256sum', 'builddir', 'startdir', 'buildtool', 'buildtoolver', 'buildenv', 'options', 'installed',
]);

function textKind(b: Uint8Array, base: string, wasCompressed: boolean): FileKind {
  // Binary data is none of the text formats.
  const n = Math.min(b.length, 8192);
  for (let i = 0; i < n; i++) if (b[i] === 0) return wasCompressed ? kindFromArchiveName(base) : 'unknown';
  const text = decodeUtf8(b, 0, Math.min(b.length, DETECT_HEAD_BYTES)).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<?xml') || trimmed.startsWith('<!DOCTYPE plist') || trimmed.startsWith('<plist')) return plistKind(trimmed, base, wasCompressed);
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const first = lines.find((l) => l.trim() !== '');
  if (first === undefined) return textKindFromName(base) ?? 'unknown';
  if (/^%[^%\s]+%$/.test(first)) return 'alpm-desc';
  // TOML (repod) before `key = value` (.PKGINFO): a table header or a repod top-level key.
  const content = lines.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (content.some((l) => /^\s*\[\[?\s*[A-Za-z0-9_."-]+\s*\]\]?\s*(#.*)?$/.test(l))) return 'repod-conf';
  const keys = content.map((l) => /^([A-Za-z0-9_.-]+)\s*=/.exec(l)?.[1]).filter((k): k is string => k !== undefined);
  if (keys.some((k) => REPOD_KEYS.has(k))) return 'repod-conf';
  if (/^[A-Za-z][A-Za-z0-9-]*:(\s|$)/.test(first) && RELEASE_FIELDS.has(first.slice(0, first.indexOf(':')))) return 'aptrpm-release';
  if (keys.length > 0 && keys.length >= content.length / 2 && /^([a-z0-9_]+) = /.test(content[0] ?? '')) {
    const buildinfo = keys.some((k) => BUILDINFO_ONLY.has(k));
    const pkginfo = keys.some((k) => PKGINFO_ONLY.has(k));
    if (buildinfo && !pkginfo) return 'buildinfo';
    if (pkginfo && !buildinfo) return 'pkginfo';
    const byName = textKindFromName(base);
    if (byName === 'buildinfo' || byName === 'pkginfo' || byName === 'repod-conf') return byName;
    if (keys.some((k) => k === 'pkgname' || k === 'pkgver')) return buildinfo ? 'buildinfo' : 'pkginfo';
  }
  const byName = textKindFromName(base);
  if (byName === 'repod-conf' && keys.length > 0) return 'repod-conf';
  return 'unknown';
}

/**
 * A plist is an xbps repodata (legacy index) when its root is an array of package dictionaries or
 * has `pkgindex-version`; a dictionary of dictionaries is a legacy `index-1.6` only when it came
 * compressed or is named like one (an installed-package `pkgdb` plist has the same shape).
 */
function plistKind(text: string, base: string, wasCompressed: boolean): FileKind {
  const body = text.replace(/<!--[\s\S]*?-->/g, '');
  const root = /<plist[^>]*>\s*<(dict|array)\b/.exec(body);
  if (root === null) return 'plist';
  const after = body.slice(root.index + root[0].length);
  if (/<key>pkgindex-version<\/key>/.test(after)) return 'xbps-repodata';
  if (root[1] === 'array') {
    return /^\s*>\s*<dict>\s*<key>[^<]*<\/key>/.test(after) && /<key>(pkgver|pkgname)<\/key>/.test(after) ? 'xbps-repodata' : 'plist';
  }
  const dictOfDicts = /^\s*>\s*<key>[^<]*<\/key>\s*<dict>/.test(after);
  if (dictOfDicts && /<key>pkgver<\/key>/.test(after) && (wasCompressed || /(^|-)index\.plist$/.test(base))) return 'xbps-repodata';
  return 'plist';
}
