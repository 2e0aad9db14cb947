/** Assertions on repokit's typed errors, shared by the test files. */
import { expect } from 'vitest';
import { isRepokitError, type ErrorCode, type RepokitError } from '../../src/shared/errors.js';

/** Run `fn`, which must throw a RepokitError, and return it (anything else is rethrown). */
export function rpmError(fn: () => unknown): RepokitError {
  try {
    fn();
  } catch (e) {
    if (isRepokitError(e)) return e;
    throw e;
  }
  throw new Error('expected a RepokitError, but nothing was thrown');
}

/** Await `p`, which must reject with a RepokitError, and return it. */
export async function rpmErrorAsync(p: Promise<unknown>): Promise<RepokitError> {
  try {
    await p;
  } catch (e) {
    if (isRepokitError(e)) return e;
    throw e;
  }
  throw new Error('expected a RepokitError, but the promise resolved');
}

/** Assert the code and offset exactly, and snapshot the message (error wording is part of the API). */
export function expectError(fn: () => unknown, code: ErrorCode, offset: number | undefined): RepokitError {
  const e = rpmError(fn);
  expect({ code: e.code, offset: e.offset }).toEqual({ code, offset });
  expect(e.message).toMatchSnapshot();
  return e;
}

/** The code and offset of the RepokitError `fn` throws. */
export function errorOf(fn: () => unknown): { code: ErrorCode; offset: number | undefined } {
  const e = rpmError(fn);
  return { code: e.code, offset: e.offset };
}
