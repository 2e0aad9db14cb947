/**
 * The sync-database layout of the xpkg project (xscriptor/xpkg, `crates/xpkg-core/src/repo`), which
 * differs from both repo-add layouts:
 *
 * - `desc`: FILENAME NAME VERSION DESC CSIZE ISIZE SHA256SUM URL LICENSE ARCH BUILDDATE PACKAGER,
 *   each written only when it has a value; no BASE, GROUPS, MD5SUM or PGPSIG, and LICENSE holds
 *   one value (xpkg keeps the first `license`);
 * - `depends`: DEPENDS MAKEDEPENDS CHECKDEPENDS OPTDEPENDS PROVIDES CONFLICTS REPLACES (REPLACES
 *   lives here, not in desc), and the member is left out when it would be empty;
 * - the tar: entries ordered by package name, only `dir/desc` and `dir/depends` (no directory
 *   members), GNU headers as the Rust `tar` crate writes them (magic `ustar  \0`, type flag NUL,
 *   mode 0644, uid/gid 0, no user/group names, mtime 0, octal fields zero-padded with a NUL), a
 *   `././@LongLink` record before a name over 100 bytes, and two zero blocks at the end (no
 *   padding to a 10240-byte record).
 */
import { RepokitError } from '../shared/errors.js';
import { concatBytes, encodeUtf8 } from '../shared/bytes.js';
import type { DescEntry } from './types.js';

/** One section as xpkg writes it: header, one line per value, an empty line; nothing when empty. */
function section(header: string, values: readonly string[], out: string[]): void {
  if (values.length === 0 || values[0] === '') return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== 'string') throw new RepokitError('ALPM_ENCODE', `%${header}%: value ${i + 1} is not a string`);
    if (v.includes('\n')) throw new RepokitError('ALPM_ENCODE', `%${header}%: value ${JSON.stringify(v)} contains a line break`);
    if (v === '') throw new RepokitError('ALPM_ENCODE', `%${header}%: empty value ${i + 1} would end the list early`);
  }
  out.push(`%${header}%\n${values.join('\n')}\n\n`);
}

function single(v: string | number | undefined, header: string): string[] {
  if (v === undefined) return [];
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new RepokitError('ALPM_ENCODE', `%${header}%: ${v} is not a non-negative integer`);
    return [String(v)];
  }
  return [v];
}

function list(v: unknown, header: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new RepokitError('ALPM_ENCODE', `%${header}%: not a list`);
  return v as string[];
}

/** xpkg's `desc` of an entry (`generate_desc`). */
export function encodeXpkgDesc(e: DescEntry): string {
  const out: string[] = [];
  section('FILENAME', single(e.filename, 'FILENAME'), out);
  section('NAME', single(e.name, 'NAME'), out);
  section('VERSION', single(e.version, 'VERSION'), out);
  section('DESC', single(e.desc, 'DESC'), out);
  section('CSIZE', single(e.csize, 'CSIZE'), out);
  section('ISIZE', single(e.isize, 'ISIZE'), out);
  section('SHA256SUM', single(e.sha256sum, 'SHA256SUM'), out);
  section('URL', single(e.url, 'URL'), out);
  section('LICENSE', list(e.license, 'LICENSE').slice(0, 1), out);
  section('ARCH', single(e.arch, 'ARCH'), out);
  section('BUILDDATE', single(e.builddate, 'BUILDDATE'), out);
  section('PACKAGER', single(e.packager, 'PACKAGER'), out);
  return out.join('');
}

const XPKG_DEPENDS: readonly [string, keyof DescEntry][] = [
  ['DEPENDS', 'depends'],
  ['MAKEDEPENDS', 'makedepends'],
  ['CHECKDEPENDS', 'checkdepends'],
  ['OPTDEPENDS', 'optdepends'],
  ['PROVIDES', 'provides'],
  ['CONFLICTS', 'conflicts'],
  ['REPLACES', 'replaces'],
];

/** xpkg's `depends` of an entry (`generate_depends`); `''` when xpkg would write no member. */
export function encodeXpkgDepends(e: DescEntry): string {
  const out: string[] = [];
  for (const [header, key] of XPKG_DEPENDS) section(header, list(e[key], header), out);
  return out.join('');
}

/** A member of an xpkg database tar. */
export interface XpkgTarMember {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;

/** Octal, zero-padded to fill all but the last byte of a field, which stays NUL (tar-rs `octal_into`). */
function octal(h: Uint8Array, at: number, len: number, value: number, what: string): void {
  const s = value.toString(8);
  if (!Number.isSafeInteger(value) || value < 0 || s.length > len - 1) throw new RepokitError('INVALID_ARGUMENT', `${what} ${value} does not fit a ${len}-byte tar field`);
  const digits = s.padStart(len - 1, '0');
  for (let i = 0; i < len - 1; i++) h[at + i] = digits.charCodeAt(i);
}

function header(nameBytes: Uint8Array, size: number, mtime: number, typeflag: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  h.set(nameBytes.subarray(0, 100), 0);
  octal(h, 100, 8, 0o644, 'mode');
  octal(h, 108, 8, 0, 'uid');
  octal(h, 116, 8, 0, 'gid');
  octal(h, 124, 12, size, 'size');
  octal(h, 136, 12, mtime, 'mtime');
  h[156] = typeflag;
  h.set([0x75, 0x73, 0x74, 0x61, 0x72, 0x20, 0x20, 0x00], 257); // "ustar  \0"
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  octal(h, 148, 8, sum, 'checksum');
  return h;
}

/**
 * The uncompressed tar of an xpkg database: each member with a GNU header as tar-rs writes it
 * (see the module comment), then 1024 zero bytes. `mtime` is xpkg's 0 unless given.
 */
export function xpkgTar(members: readonly XpkgTarMember[], mtime = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  const pad = (n: number): Uint8Array => new Uint8Array((BLOCK - (n % BLOCK)) % BLOCK);
  for (const m of members) {
    const name = encodeUtf8(m.name);
    if (name.length > 100) {
      // GNU long name: a `././@LongLink` member holding the NUL-terminated name, then the
      // header with the name cut to 100 bytes (at a character boundary, as tar-rs cuts it).
      const longData = new Uint8Array(name.length + 1);
      longData.set(name);
      parts.push(header(encodeUtf8('././@LongLink'), longData.length, 0, 0x4c), longData, pad(longData.length));
      let cut = 100;
      while (cut > 0 && (name[cut]! & 0xc0) === 0x80) cut--;
      parts.push(header(name.subarray(0, cut), m.data.length, mtime, 0));
    } else {
      parts.push(header(name, m.data.length, mtime, 0));
    }
    parts.push(m.data, pad(m.data.length));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return concatBytes(parts);
}
