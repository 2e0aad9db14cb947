/**
 * apt-rpm release files (reference aptrpm.md §4.4, §1.3): `base/release.<component>` (genbasedir's
 * 7-line stanza) and the global `base/release` (header fields, then `MD5Sum:` and `BLAKE2b:`
 * blocks of ` <hash> <size> base/<file>` lines, then one blank line). Pure.
 */
import { RepokitError } from '../shared/errors.js';
import { decodeUtf8 } from '../shared/bytes.js';

/** Fields of `release.<component>`; genbasedir's defaults in brackets. */
export interface ComponentReleaseFields {
  /** `Archive:` [`Unknown`]. ALT: `ALT Linux p10`. */
  archive?: string;
  /** `Component:` (required). */
  component: string;
  /** `Version:` [`Unknown`]. ALT: the Unix time of the build. */
  version?: string;
  /** `Origin:` [`Unknown`]. */
  origin?: string;
  /** `Label:` [`Unknown`]. */
  label?: string;
  /** `Architecture:` [`Unknown`]; the repository writer passes the arch directory's name. */
  architecture?: string;
  /** `NotAutomatic:` [`false`]. */
  notAutomatic?: boolean;
}

/** Fields of the global `release`; genbasedir's defaults in brackets. */
export interface ReleaseFields {
  /** `Origin:` [`Unknown`]. */
  origin?: string;
  /** `Label:` [`Unknown`]. */
  label?: string;
  /** `Suite:` [`Unknown`]. */
  suite?: string;
  /** `Codename:` [`Unknown`]. ALT: the Unix time of the build. */
  codename?: string;
  /** `Date:` as a Date (formatted like `date -R` in UTC) or a ready string [now]. */
  date?: Date | string;
  /** `Architectures:` [`Unknown`]; several are joined with spaces. */
  architectures?: string | readonly string[];
  /** `Components:` (space-separated; the writer lists the components it indexed). */
  components?: readonly string[];
  /** `Description:` [`Not Available`]. */
  description?: string;
}

/** One file listed in the checksum blocks of a release. */
export interface ReleaseFile {
  /** Path relative to the dist directory, e.g. `base/pkglist.classic.xz`. */
  path: string;
  size: number;
  /** Lowercase hex MD5. */
  md5: string;
  /** Lowercase hex BLAKE2b-512; when absent from any file, no `BLAKE2b:` block is written. */
  blake2b?: string | undefined;
}

/** One ` <hash> <size> <path>` line. */
export interface ReleaseChecksum {
  hash: string;
  size: number;
  path: string;
}

/** A parsed release file: the first stanza's fields and its checksum blocks. */
export interface ParsedRelease {
  /** Every field of the first stanza in file order, values with continuation lines joined by `\n`. */
  fields: Map<string, string>;
  /** `MD5Sum:` entries (empty when absent). */
  md5: ReleaseChecksum[];
  /** `BLAKE2b:` entries (empty when absent). */
  blake2b: ReleaseChecksum[];
}

const UNKNOWN = 'Unknown';

function oneLine(name: string, value: string): string {
  if (typeof value !== 'string' || /[\r\n]/.test(value)) {
    throw new RepokitError('INVALID_ARGUMENT', `release field ${name} must be a one-line string`);
  }
  return value;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date as `date -R` prints it in UTC: `Tue, 14 Nov 2023 22:13:20 +0000`. */
export function formatReleaseDate(d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new RepokitError('INVALID_ARGUMENT', 'release date is not a valid Date');
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`
  );
}

/** `base/release.<component>`: the 7 lines genbasedir writes, each ending in `\n`. */
export function formatComponentRelease(fields: ComponentReleaseFields): string {
  const f = (name: string, v: string | undefined) => `${name}: ${oneLine(name, v ?? UNKNOWN)}\n`;
  return (
    f('Archive', fields.archive) +
    f('Component', fields.component) +
    f('Version', fields.version) +
    f('Origin', fields.origin) +
    f('Label', fields.label) +
    f('Architecture', fields.architecture) +
    f('NotAutomatic', fields.notAutomatic === true ? 'true' : 'false')
  );
}

function checksumLine(hash: string, size: number, path: string): string {
  if (!Number.isSafeInteger(size) || size < 0) throw new RepokitError('INVALID_ARGUMENT', `release entry ${path}: bad size ${String(size)}`);
  if (!/^[0-9a-f]+$/.test(hash)) throw new RepokitError('INVALID_ARGUMENT', `release entry ${path}: hash must be lowercase hex`);
  if (path === '' || /\s/.test(path)) throw new RepokitError('INVALID_ARGUMENT', `release entry ${JSON.stringify(path)}: paths cannot be empty or contain white space`);
  return ` ${hash} ${size} ${path}\n`;
}

/**
 * The global `base/release`: Origin, Label, Suite, Codename, Date, Architectures, Components,
 * Description, then `MD5Sum:` and (when every file has one) `BLAKE2b:` blocks listing `files` in
 * the given order, then one blank line. Give files in genbasedir's order (per component: pkglist,
 * srclist, pkglist.bz2, srclist.bz2, pkglist.xz, srclist.xz, release.<comp>); the uncompressed
 * pkglist must be listed even when it is not published, since apt checks the decompressed
 * download against that entry.
 */
export function formatRelease(fields: ReleaseFields, files: readonly ReleaseFile[]): string {
  const f = (name: string, v: string | undefined, dflt = UNKNOWN) => `${name}: ${oneLine(name, v ?? dflt)}\n`;
  const date = fields.date === undefined ? formatReleaseDate(new Date()) : typeof fields.date === 'string' ? fields.date : formatReleaseDate(fields.date);
  const arches = typeof fields.architectures === 'string' ? fields.architectures : fields.architectures?.join(' ');
  let out =
    f('Origin', fields.origin) +
    f('Label', fields.label) +
    f('Suite', fields.suite) +
    f('Codename', fields.codename) +
    f('Date', date) +
    f('Architectures', arches) +
    f('Components', fields.components?.join(' ')) +
    f('Description', fields.description, 'Not Available');
  out += 'MD5Sum:\n';
  for (const file of files) out += checksumLine(file.md5, file.size, file.path);
  if (files.length > 0 && files.every((x) => x.blake2b !== undefined)) {
    out += 'BLAKE2b:\n';
    for (const file of files) out += checksumLine(file.blake2b!, file.size, file.path);
  }
  return `${out}\n`;
}

function bad(msg: string, line: number, column?: number): RepokitError {
  return new RepokitError('APTRPM_BAD_RELEASE', msg, { line, column });
}

const MAX_RELEASE_BYTES = 64 * 1024 * 1024;
const HASH_LENGTH: Readonly<Record<string, number>> = { MD5Sum: 32, BLAKE2b: 128 };

/**
 * Parse a release file as apt does: only the first stanza (up to the first blank line; anything
 * after it, such as an appended signature, is ignored), `Name: value` fields, continuation lines
 * starting with a space or tab. The `MD5Sum` and `BLAKE2b` values are read as ` hash size path`
 * triplets. Problems throw APTRPM_BAD_RELEASE with line and column. Inputs over 64 MiB are
 * refused (LIMIT_EXCEEDED).
 */
export function parseRelease(input: string | Uint8Array): ParsedRelease {
  if (input instanceof Uint8Array) {
    if (input.length > MAX_RELEASE_BYTES) throw new RepokitError('LIMIT_EXCEEDED', `release file of ${input.length} bytes exceeds ${MAX_RELEASE_BYTES}`);
    input = decodeUtf8(input, 0, input.length);
  } else if (typeof input !== 'string') {
    throw new RepokitError('INVALID_ARGUMENT', 'parseRelease: expected a string or bytes');
  } else if (input.length > MAX_RELEASE_BYTES) {
    throw new RepokitError('LIMIT_EXCEEDED', `release text of ${input.length} characters exceeds ${MAX_RELEASE_BYTES}`);
  }
  const fields = new Map<string, string>();
  const fieldLine = new Map<string, number>();
  let current: string | null = null;
  const lines = input.split('\n');
  // Leading blank lines are skipped, as apt's tag-file reader does.
  let i = 0;
  while (i < lines.length && lines[i]!.replace(/\r$/, '').trim() === '') i++;
  for (; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const n = i + 1;
    if (line.trim() === '') break; // end of the first stanza
    if (line[0] === ' ' || line[0] === '\t') {
      if (current === null) throw bad('continuation line before any field', n, 1);
      fields.set(current, `${fields.get(current)!}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw bad(`expected "Name: value", got ${JSON.stringify(line.slice(0, 60))}`, n, 1);
    const name = line.slice(0, colon);
    if (/\s/.test(name)) throw bad(`field name ${JSON.stringify(name.slice(0, 60))} contains white space`, n, 1);
    if (fields.has(name)) throw bad(`field ${name} occurs twice (first on line ${fieldLine.get(name)})`, n, 1);
    fields.set(name, line.slice(colon + 1).trim());
    fieldLine.set(name, n);
    current = name;
  }
  const checksums = (name: string): ReleaseChecksum[] => {
    const v = fields.get(name);
    if (v === undefined) return [];
    const words = v.split(/\s+/).filter((w) => w !== '');
    const line = fieldLine.get(name)!;
    if (words.length % 3 !== 0) throw bad(`${name}: ${words.length} words, expected "hash size path" triplets`, line);
    const out: ReleaseChecksum[] = [];
    for (let k = 0; k < words.length; k += 3) {
      const [hash, size, path] = [words[k]!, words[k + 1]!, words[k + 2]!];
      const len = HASH_LENGTH[name]!;
      if (hash.length !== len || !/^[0-9a-fA-F]+$/.test(hash)) throw bad(`${name}: ${JSON.stringify(hash.slice(0, 140))} is not a ${len}-digit hex hash`, line);
      if (!/^[0-9]{1,15}$/.test(size)) throw bad(`${name}: size ${JSON.stringify(size.slice(0, 40))} of ${path} is not a byte count`, line);
      out.push({ hash: hash.toLowerCase(), size: Number(size), path });
    }
    return out;
  };
  return { fields, md5: checksums('MD5Sum'), blake2b: checksums('BLAKE2b') };
}
