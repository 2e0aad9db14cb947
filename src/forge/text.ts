/**
 * Byte strings: the macros work on bytes (Lua strings, rpm buffers), so lengths, `string.sub` cuts
 * and character classes are per byte. Inside this module texts are JS strings holding one byte per
 * char code (0..255); they are converted from and back to UTF-8 at the API boundary.
 */
import { decodeUtf8, encodeUtf8 } from '../shared/bytes.js';

/** UTF-8 text → byte string. */
export function toBytes(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text;
  const b = encodeUtf8(text);
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Byte string → text (invalid UTF-8, e.g. a multi-byte character cut by a byte count, becomes U+FFFD). */
export function fromBytes(bytes: string): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes;
  const b = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) b[i] = bytes.charCodeAt(i);
  return decodeUtf8(b, 0, b.length);
}

/** Lua `string.lower` in the C locale: ASCII letters only. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Lua `gsub(s, "[%p%s]+", ".")`: runs of ASCII punctuation and white space become one dot. */
export function punctToDots(s: string): string {
  return s.replace(/[!-/:-@[-`{-~ \t\n\v\f\r]+/g, '.');
}
