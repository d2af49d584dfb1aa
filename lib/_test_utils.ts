/**
 * The few assertions the unit tests need, on top of `node:assert/strict`
 * (JSR's @std/assert is out of reach here).
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deep equality with a message. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** Asserts `fn` throws an instance of `type`; returns the error. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  type: new (...args: never[]) => E,
): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw new Error(`expected ${type.name}, got ${err}`);
  }
  throw new Error(`expected ${type.name} to be thrown`);
}
