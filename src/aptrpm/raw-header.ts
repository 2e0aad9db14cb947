/**
 * Building pkglist headers from raw entry data, as genpkglist does with rpm's `HEADERGET_RAW` +
 * `headerPut` + `headerExport`: every copied tag keeps its type, count and exact bytes (so
 * I18N strings and non-UTF-8 bytes survive untouched), entries are sorted by tag, and the data is
 * packed in index order with natural alignment (INT16 → 2, INT32 → 4, INT64 → 8, zero padding)
 * and no trailing pad. Pure.
 */
import { concatBytes } from '../shared/bytes.js';
import { RepokitError } from '../shared/errors.js';
import { HEADER_MAGIC, RpmType, TYPE_SIZE, type Header } from '../rpm/index.js';

/** One header entry as stored: type, element count and the data bytes. */
export interface RawEntry {
  tag: number;
  type: number;
  count: number;
  data: Uint8Array;
}

/** rpm's limits (header.c): entries, elements per non-BIN entry, whole blob. */
const MAX_ENTRIES = 0xffff;
const MAX_COUNT = 0xfffff;
const MAX_BLOB = 256 * 1024 * 1024;

const utf8 = new TextEncoder();

/** The entry for `tag` exactly as `header` stores it, or undefined when absent. */
export function rawEntryOf(header: Header, tag: number): RawEntry | undefined {
  const e = header.entry(tag);
  if (e === undefined) return undefined;
  return { tag, type: e.type, count: e.count, data: header.raw(tag)! };
}

/** A STRING entry. */
export function stringEntry(tag: number, value: string): RawEntry {
  return { tag, type: RpmType.STRING, count: 1, data: nulTerminated(value) };
}

/** An INT32 entry with one value (0..2³²−1). */
export function int32Entry(tag: number, value: number): RawEntry {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, value >>> 0);
  return { tag, type: RpmType.INT32, count: 1, data };
}

/** An INT32 entry from several values. */
export function int32ArrayEntry(tag: number, values: readonly number[]): RawEntry {
  const data = new Uint8Array(4 * values.length);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < values.length; i++) dv.setUint32(4 * i, values[i]! >>> 0);
  return { tag, type: RpmType.INT32, count: values.length, data };
}

/** A STRING_ARRAY (or I18NSTRING) entry from already NUL-terminated element bytes. */
export function stringArrayEntryFromBytes(tag: number, type: number, elements: readonly Uint8Array[]): RawEntry {
  return { tag, type, count: elements.length, data: concatBytes(elements) };
}

/** A STRING_ARRAY entry from JavaScript strings. */
export function stringArrayEntry(tag: number, values: readonly string[]): RawEntry {
  return stringArrayEntryFromBytes(tag, RpmType.STRING_ARRAY, values.map(nulTerminated));
}

function nulTerminated(s: string): Uint8Array {
  const b = utf8.encode(s);
  if (b.includes(0)) throw new RepokitError('RPM_ENCODE', `string ${JSON.stringify(s.slice(0, 40))} contains a NUL character`);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/**
 * Split the data of a string-array entry into its elements, each view including its NUL
 * terminator. The data was validated by parseHeader, so it holds exactly `count` terminated strings.
 */
export function splitStrings(data: Uint8Array, count: number): Uint8Array[] {
  const out = new Array<Uint8Array>(count);
  let s = 0;
  for (let i = 0; i < count; i++) {
    const z = data.indexOf(0, s);
    out[i] = data.subarray(s, z + 1);
    s = z + 1;
  }
  return out;
}

/**
 * Encode entries as one region-less header blob with the 8-byte magic: entries sorted by tag
 * (duplicates refused), data packed in that order with natural alignment, no trailing pad —
 * byte-identical to what rpm's headerExport writes for a header built with headerPut.
 */
export function encodeRawHeader(entries: readonly RawEntry[]): Uint8Array {
  const n = entries.length;
  if (n === 0) throw new RepokitError('RPM_ENCODE', 'a header needs at least one entry');
  if (n > MAX_ENTRIES) throw new RepokitError('RPM_ENCODE', `${n} entries exceed rpm's limit of ${MAX_ENTRIES}`);
  const sorted = entries.slice().sort((a, b) => a.tag - b.tag);
  const offsets = new Array<number>(n);
  let dl = 0;
  for (let i = 0; i < n; i++) {
    const e = sorted[i]!;
    if (i > 0 && sorted[i - 1]!.tag === e.tag) throw new RepokitError('RPM_ENCODE', `tag ${e.tag} occurs twice`);
    if (!Number.isInteger(e.tag) || e.tag < 100 || e.tag > 0x7fffffff) {
      throw new RepokitError('RPM_ENCODE', `tag ${e.tag} cannot be written to a pkglist header`);
    }
    if (!(e.type >= RpmType.CHAR && e.type <= RpmType.I18NSTRING)) throw new RepokitError('RPM_ENCODE', `tag ${e.tag}: unknown type ${e.type}`);
    if (e.count < 1 || (e.type !== RpmType.BIN && e.count > MAX_COUNT)) {
      throw new RepokitError('RPM_ENCODE', `tag ${e.tag}: count ${e.count} is outside rpm's 1..${MAX_COUNT}`);
    }
    const size = TYPE_SIZE[e.type]!;
    if (size > 1) dl += -dl & (size - 1);
    offsets[i] = dl;
    dl += e.data.length;
    if (16 * n + dl + 8 >= MAX_BLOB) throw new RepokitError('RPM_ENCODE', `header exceeds rpm's limit of ${MAX_BLOB} bytes`);
  }
  const out = new Uint8Array(16 + 16 * n + dl);
  const dv = new DataView(out.buffer);
  out.set(HEADER_MAGIC, 0);
  dv.setUint32(8, n);
  dv.setUint32(12, dl);
  const ds = 16 + 16 * n;
  for (let i = 0; i < n; i++) {
    const e = sorted[i]!;
    const at = 16 + 16 * i;
    dv.setUint32(at, e.tag);
    dv.setUint32(at + 4, e.type);
    dv.setUint32(at + 8, offsets[i]!);
    dv.setUint32(at + 12, e.count);
    out.set(e.data, ds + offsets[i]!);
  }
  return out;
}

/**
 * Overwrite the value of a STRING entry of an encoded header (from {@link encodeRawHeader}) in
 * place with a value of the same byte length. A header encoded with placeholder digests gets the
 * real ones this way: the layout cannot change, so the bytes are those a fresh encoding would
 * give. RPM_ENCODE when the entry is missing, not a STRING, or of another length.
 */
export function setStringInPlace(blob: Uint8Array, tag: number, value: string): void {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const n = dv.getUint32(8);
  const ds = 16 + 16 * n;
  // Entries are sorted by tag.
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = 16 + 16 * mid;
    const t = dv.getUint32(at);
    if (t < tag) lo = mid + 1;
    else if (t > tag) hi = mid - 1;
    else {
      // Digests are ASCII: no encoder needed for them.
      const bytes = /^[\x01-\x7f]*$/.test(value) ? null : utf8.encode(value);
      const length = bytes === null ? value.length : bytes.length;
      const start = ds + dv.getUint32(at + 8);
      if (dv.getUint32(at + 4) !== RpmType.STRING || start + length >= blob.length || blob[start + length] !== 0 || blob.subarray(start, start + length).includes(0)) {
        throw new RepokitError('RPM_ENCODE', `tag ${tag}: not a STRING of ${length} bytes`);
      }
      if (bytes !== null) blob.set(bytes, start);
      else for (let k = 0; k < length; k++) blob[start + k] = value.charCodeAt(k);
      return;
    }
  }
  throw new RepokitError('RPM_ENCODE', `tag ${tag} is not in the header`);
}
