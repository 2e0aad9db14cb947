/**
 * The tar container of `<arch>-repodata`, written byte for byte as xbps-rindex (libarchive's
 * `pax_restricted` writer) writes it. Pure.
 *
 * libarchive's ustar header fields: mode/uid/gid as 6 octal digits + space + NUL, size and mtime
 * as 11 octal digits + space, the checksum as 6 octal digits + NUL + space, magic `ustar\0` with
 * version `00`, devmajor/devminor as 6 digits + space + NUL. xbps sets only the type (regular
 * file), permissions 0644, uname/gname `root` and the size, so uid, gid and mtime are 0. The
 * archive ends with two zero blocks and is not padded to a 10 KiB record (xbps asks libarchive
 * for a last block of 1 byte).
 */
import { RepokitError } from '../shared/errors.js';
import { encodeUtf8 } from '../shared/bytes.js';

const BLOCK = 512;
/** Largest size a ustar size field holds (11 octal digits); a pax header would be needed beyond it. */
const MAX_USTAR_SIZE = 0o77777777777;

/** A member of a repodata archive: a name and its contents. */
export interface RepodataTarMember {
  name: string;
  data: Uint8Array;
}

function putString(h: Uint8Array, at: number, width: number, s: string, what: string): void {
  const b = encodeUtf8(s);
  if (b.length > width) throw new RepokitError('INVALID_ARGUMENT', `repodata member ${what} "${s}" is longer than ${width} bytes`);
  h.set(b, at);
}

/** `digits` octal digits, then the given terminator bytes. */
function putOctal(h: Uint8Array, at: number, digits: number, value: number, terminator: string): void {
  const s = value.toString(8).padStart(digits, '0') + terminator;
  for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i);
}

/** One libarchive-style ustar header for a regular file (mode 0644, root:root, mtime 0). */
export function ustarHeader(name: string, size: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_USTAR_SIZE) {
    throw new RepokitError('LIMIT_EXCEEDED', `repodata member ${name}: ${size} bytes do not fit a ustar header (max ${MAX_USTAR_SIZE})`);
  }
  const h = new Uint8Array(BLOCK);
  putString(h, 0, 100, name, 'name');
  putOctal(h, 100, 6, 0o644, ' \0'); // mode
  putOctal(h, 108, 6, 0, ' \0'); // uid
  putOctal(h, 116, 6, 0, ' \0'); // gid
  putOctal(h, 124, 11, size, ' '); // size
  putOctal(h, 136, 11, 0, ' '); // mtime
  h[156] = 0x30; // typeflag '0': regular file
  h.set(encodeUtf8('ustar\0' + '00'), 257);
  putString(h, 265, 32, 'root', 'uname');
  putString(h, 297, 32, 'root', 'gname');
  putOctal(h, 329, 6, 0, ' \0'); // devmajor
  putOctal(h, 337, 6, 0, ' \0'); // devminor
  // Checksum: the header's byte sum with the field itself counted as eight spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += h[i]!;
  putOctal(h, 148, 6, sum, '\0 ');
  return h;
}

/** The uncompressed repodata tar: each member's header and data padded to 512, then two zero blocks. */
export function writeRepodataTar(members: readonly RepodataTarMember[]): Uint8Array {
  let total = 2 * BLOCK;
  for (const m of members) total += BLOCK + Math.ceil(m.data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(total);
  let at = 0;
  for (const m of members) {
    out.set(ustarHeader(m.name, m.data.length), at);
    at += BLOCK;
    out.set(m.data, at);
    at += Math.ceil(m.data.length / BLOCK) * BLOCK;
  }
  return out;
}
