// SPDX-License-Identifier: MIT
// Shared by the package tests (copied beside them into the consumer folder by scripts/test.sh).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const GOLDEN = process.env.POSENC_GOLDEN_DIR ?? new URL('../../tests/golden/', import.meta.url).pathname;

/** A file of tests/golden (the reference implementations' values), parsed. */
export const golden = (name) => JSON.parse(readFileSync(`${GOLDEN}/${name}`, 'utf8'));

/** Golden README: float32 results of different arithmetic agree within 1e-6 + 2.5e-7 * position. */
export const crossPrecisionAtol = (position) => 1e-6 + 2.5e-7 * position;

/** The bit patterns of a Float32Array (for exact comparisons that also see -0 and NaN payloads). */
export const bits = (a) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** n floats in [-1, 1) from a 32-bit LCG: the same vector for the same seed on every run. */
export function randomVector(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Largest absolute elementwise difference of two arrays of equal length. */
export function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Each [args, ErrorClass, text] of `cases` makes fn(args) throw exactly ErrorClass, with a message
 * that starts with "where: " and contains text.
 */
export function expectErrors(fn, where, cases) {
  for (const [args, cls, text] of cases) {
    assert.throws(() => fn(args), (e) => {
      assert.equal(e.constructor, cls, `${where} ${text}: ${e.message}`);
      assert.ok(e.message.startsWith(`${where}: `), e.message);
      assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
      return true;
    });
  }
}

const FIXTURES = process.env.POSENC_FIXTURES_DIR ?? new URL('../../tests/fixtures/', import.meta.url).pathname;

/** A file of tests/fixtures (e.g. 'configs/pythia-6.9b.json'), parsed. */
export const fixture = (name) => JSON.parse(readFileSync(`${FIXTURES}/${name}`, 'utf8'));

/** Threads of this process (Linux): a worker thread adds one while it lives. */
export const threads = () => readdirSync('/proc/self/task').length;
export const LINUX = existsSync('/proc/self/task');

/** The thread count once it has settled at `expected` (or after 3 s). */
export async function settledThreads(expected) {
  for (let i = 0; i < 100 && threads() !== expected; i++) await new Promise((r) => setTimeout(r, 30));
  return threads();
}
