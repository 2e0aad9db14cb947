/**
 * Cheap type checks for the public entry points: a caller passing `null`, a number or the wrong
 * kind of object gets a RepokitError INVALID_ARGUMENT naming the argument, not a TypeError from
 * deep inside a codec. Only the outer shape is checked; values inside are the codecs' business.
 */
import { RepokitError } from '../shared/errors.js';

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a Uint8Array';
  return typeof v === 'object' ? 'an object' : `${typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`}`;
}

/** `v` must be a string. */
export function argString(v: unknown, what: string): asserts v is string {
  if (typeof v !== 'string') throw new RepokitError('INVALID_ARGUMENT', `${what} must be a string, not ${kind(v)}`);
}

/** `v` must be a string or a Uint8Array (text given as UTF-8 bytes). */
export function argText(v: unknown, what: string): asserts v is string | Uint8Array {
  if (typeof v !== 'string' && !(v instanceof Uint8Array)) throw new RepokitError('INVALID_ARGUMENT', `${what} must be a string or a Uint8Array, not ${kind(v)}`);
}

/** `v` must be a non-null object that is not an array. */
export function argObject(v: unknown, what: string): asserts v is object {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    throw new RepokitError('INVALID_ARGUMENT', `${what} must be an object, not ${kind(v)}`);
  }
}

/** `v` must be an array. */
export function argArray(v: unknown, what: string): asserts v is readonly unknown[] {
  if (!Array.isArray(v)) throw new RepokitError('INVALID_ARGUMENT', `${what} must be an array, not ${kind(v)}`);
}

/** An options argument: an object (after defaulting, so `null` is refused). */
export function argOptions(v: unknown, what = 'options'): void {
  argObject(v, what);
}
