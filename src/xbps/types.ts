/**
 * The plist value model of the proplib dialect xbps uses.
 *
 * proplib knows exactly seven element types (`dict`, `array`, `string`, `integer`, `true`,
 * `false`, `data`); there is no `<real>` or `<date>`. The model maps them to:
 *
 * | plist | value |
 * |---|---|
 * | `<dict>` | `Map<string, PlistValue>` ({@link PlistDict}), keys in the order they were read |
 * | `<array>` | `PlistValue[]` |
 * | `<string>` | `string` |
 * | `<true/>`, `<false/>` | `boolean` |
 * | `<integer>` | {@link PlistInteger}: a `bigint` plus proplib's signed/unsigned flag |
 * | `<data>` | `Uint8Array` |
 *
 * Dictionaries are `Map`s so that keys such as `__proto__` or `constructor` are ordinary keys.
 */

/** A plist dictionary: keys in the order they were read (the writer sorts them like proplib). */
export type PlistDict = Map<string, PlistValue>;

/** A plist array. */
export type PlistArray = PlistValue[];

/**
 * A proplib number. proplib stores either an unsigned 64-bit or a signed 64-bit value and
 * remembers which; `unsigned` says which one this is. `value` is exact (a `bigint`), so values
 * beyond 2^53 lose nothing.
 */
export interface PlistInteger {
  readonly type: 'integer';
  readonly value: bigint;
  /** True for proplib's unsigned numbers (what xbps writes for sizes), false for signed ones. */
  readonly unsigned: boolean;
}

/** Any value a proplib plist can hold. */
export type PlistValue = string | boolean | PlistInteger | Uint8Array | PlistArray | PlistDict;

/**
 * What {@link writePlist} accepts: a {@link PlistValue}, where integers may also be given as a
 * `number` (a safe integer) or a `bigint` (both written as proplib writes them: unsigned when
 * not negative).
 */
export type PlistInput =
  | string
  | boolean
  | number
  | bigint
  | PlistInteger
  | Uint8Array
  | readonly PlistInput[]
  | ReadonlyMap<string, PlistInput>;

/** The largest value of proplib's unsigned numbers (2^64 - 1). */
export const PLIST_UINT64_MAX = (1n << 64n) - 1n;
/** The smallest value of proplib's signed numbers (-2^63). */
export const PLIST_INT64_MIN = -(1n << 63n);
/** The largest value of proplib's signed numbers (2^63 - 1). */
export const PLIST_INT64_MAX = (1n << 63n) - 1n;

/**
 * A plist integer. Without `unsigned`, it is unsigned when `value >= 0`, which is what xbps
 * creates for every number it stores (sizes, `public-key-size`).
 */
export function plistInteger(value: number | bigint, unsigned?: boolean): PlistInteger {
  const v = typeof value === 'bigint' ? value : BigInt(value);
  return { type: 'integer', value: v, unsigned: unsigned ?? v >= 0n };
}

/** True for a {@link PlistInteger}. */
export function isPlistInteger(v: unknown): v is PlistInteger {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'integer' &&
    typeof (v as { value?: unknown }).value === 'bigint';
}

/** True for a {@link PlistDict}. */
export function isPlistDict(v: unknown): v is PlistDict {
  return v instanceof Map;
}

/**
 * The value of an integer as a `number` when it is exactly representable (|v| <= 2^53 - 1),
 * otherwise as the `bigint`.
 */
export function integerValue(i: PlistInteger): number | bigint {
  const v = i.value;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** The plist type name of a value: `dict`, `array`, `string`, `bool`, `integer` or `data`. */
export function plistType(v: PlistValue): 'dict' | 'array' | 'string' | 'bool' | 'integer' | 'data' {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Uint8Array) return 'data';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'dict';
  return 'integer';
}

/**
 * Structural equality of two plist values, the way proplib compares objects: dictionaries are
 * equal when they hold the same keys with equal values (key order does not matter), integers
 * when value and signedness agree.
 */
export function plistEqual(a: PlistValue, b: PlistValue): boolean {
  if (typeof a === 'string' || typeof a === 'boolean') return a === b;
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!plistEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      const w = b.get(k);
      if (w === undefined || !plistEqual(v, w)) return false;
    }
    return true;
  }
  return isPlistInteger(b) && a.value === b.value && a.unsigned === b.unsigned;
}
