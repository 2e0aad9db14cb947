/** Core RPM header data types, shared by the reader, the encoder and the tag table. */

/** rpm's header data types (`rpmTagType`), by their on-disk number. */
export const RpmType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;
export type RpmType = (typeof RpmType)[keyof typeof RpmType];

export const RPM_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'NULL',
  1: 'CHAR',
  2: 'INT8',
  3: 'INT16',
  4: 'INT32',
  5: 'INT64',
  6: 'STRING',
  7: 'BIN',
  8: 'STRING_ARRAY',
  9: 'I18NSTRING',
};

/** Element size in bytes for fixed-size types (0 for variable-size ones). */
export const TYPE_SIZE: readonly number[] = [0, 1, 1, 2, 4, 8, 0, 1, 0, 0];
/** Required alignment of the data offset, relative to the data section start. */
export const TYPE_ALIGN: readonly number[] = [1, 1, 1, 2, 4, 8, 1, 1, 1, 1];

/** True for the string types: STRING, STRING_ARRAY and I18NSTRING. */
export function isStringType(t: number): boolean {
  return t === RpmType.STRING || t === RpmType.STRING_ARRAY || t === RpmType.I18NSTRING;
}

/**
 * A decoded header value, by type:
 * - CHAR, INT8, INT16, INT32: `number[]` (unsigned, as rpm reads them)
 * - INT64: `bigint[]`
 * - STRING: `string`
 * - STRING_ARRAY, I18NSTRING: `string[]`
 * - BIN: `Uint8Array` (a view into the header bytes; copy it if you keep it and mutate the source)
 */
export type HeaderValue = number[] | bigint[] | string | string[] | Uint8Array;

/** A tag and its value as given to the header encoder. */
export interface HeaderEntryInput {
  tag: number;
  type: RpmType;
  value: HeaderValue;
}

/** Region tags (rpm's ENTRY_IS_REGION range is 61 <= tag < 64). */
export const HEADER_IMAGE = 61;
export const HEADER_SIGNATURES = 62;
export const HEADER_IMMUTABLE = 63;
export const HEADER_REGIONS = 64;
export const HEADER_I18NTABLE = 100;

/** The 8-byte header magic used in package files and header lists. */
export const HEADER_MAGIC: Uint8Array = Uint8Array.of(0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0);
/** The 4-byte lead magic. */
export const LEAD_MAGIC: Uint8Array = Uint8Array.of(0xed, 0xab, 0xee, 0xdb);
export const LEAD_SIZE = 96;
