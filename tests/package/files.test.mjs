// SPDX-License-Identifier: MIT
// The installed package's files: notices for the third-party code in the WebAssembly builds, a
// changelog, where the project lives, the worker entry points, and no executable data files.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.resolve('posenc/package.json')));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const text = (name) => readFileSync(join(ROOT, name), 'utf8');

test('the .wasm and .mjs files of dist/ are not executable (mode 644)', () => {
  const files = readdirSync(join(ROOT, 'dist'));
  assert.ok(files.filter((f) => f.endsWith('.wasm')).length >= 2, files.join());
  for (const f of files) assert.equal(statSync(join(ROOT, 'dist', f)).mode & 0o111, 0, `${f} is executable`);
});

test('third-party notices name each component compiled into the builds, with its licence text', () => {
  const notices = text('THIRD-PARTY-NOTICES.md');
  for (const needle of [
    'Johan Mabille, Sylvain Corlay, Wolf Vollprecht and Martin Renou',       // xsimd's copyright
    'Redistributions in binary form must reproduce the above copyright notice', // BSD-3-Clause
    'BSL-1.0', 'SunPro',                                                         // xsimd's math parts
    'The Emscripten Authors', 'Rich Felker', 'dlmalloc', 'LLVM Exceptions', 'libc++abi', 'compiler-rt',
  ]) assert.ok(notices.includes(needle), needle);
  assert.ok(pkg.files.includes('THIRD-PARTY-NOTICES.md'));
});

test('a changelog, no placeholder links, and the worker entry points', () => {
  assert.match(text('CHANGELOG.md'), /^## 0\.1\.0$/m);
  assert.match(text('CHANGELOG.md'), /^## Unreleased$/m);
  // The project has no public address yet: no homepage/repository/bugs until it has one, never a
  // placeholder host that would send users nowhere.
  assert.doesNotMatch(JSON.stringify(pkg), /example\.(com|org|net)/);
  const worker = pkg.exports['./worker'];
  for (const file of [worker.types, worker.browser, worker.node, worker.default, './worker-thread.js', './worker-thread-node.js']) {
    assert.ok(statSync(join(ROOT, file)).isFile(), file);
  }
});
