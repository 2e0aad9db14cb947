/**
 * JSON forms of headers: the `repokit rpm tags` shape, stable for scripts and for comparing with
 * other tools. Strings stay strings, string arrays and I18N strings are arrays, integers are numbers
 * (arrays when count > 1), INT64 values are decimal strings, BIN is lowercase hex.
 */
import { toHex } from '../shared/bytes.js';
import type { Header } from './header.js';
import type { RpmPackage } from './package.js';
import { RpmType, type HeaderValue } from './types.js';

export type TagJsonValue = string | number | string[] | number[];

export interface TagJson {
  type: number;
  value: TagJsonValue;
}

/** One header value in the JSON form. */
export function valueToJson(type: number, value: HeaderValue): TagJsonValue {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === 'string') return value;
  if (type === RpmType.STRING_ARRAY || type === RpmType.I18NSTRING) return value as string[];
  if (type === RpmType.INT64) {
    const s = (value as bigint[]).map((b) => b.toString());
    return s.length === 1 ? s[0]! : s;
  }
  const n = value as number[];
  return n.length === 1 ? n[0]! : n;
}

/** Every tag of a header keyed by tag number (the entry rpm would use, for duplicate tags). */
export function headerToJson(h: Header): Record<string, TagJson> {
  const out: Record<string, TagJson> = {};
  for (const tag of h.tags()) {
    const e = h.entry(tag)!;
    out[String(tag)] = { type: e.type, value: valueToJson(e.type, h.get(tag)!) };
  }
  return out;
}

/** Both headers of a package in the `repokit rpm tags --json` shape. */
export function rpmTagsToJson(pkg: RpmPackage): { signature: Record<string, TagJson>; header: Record<string, TagJson> } {
  return { signature: headerToJson(pkg.signature), header: headerToJson(pkg.header) };
}
