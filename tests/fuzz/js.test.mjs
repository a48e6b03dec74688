// SPDX-License-Identifier: MIT
// The short fuzz range CI runs (scripts/test.sh, against the packed tarball): a few seeds of
// tests/fuzz/js.mjs over both builds. The long run (1,000,000 calls) is in README.md, "Limits and errors".
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fuzz } from './js.mjs';

const SEEDS = [1, 2, 3];
const CALLS = 2500;

for (const seed of SEEDS) {
  test(`seed ${seed}: ${CALLS} hostile calls per build; named errors, finite results, malloc back at its baseline`, async () => {
    const reports = await fuzz({ seed, calls: CALLS });
    assert.equal(reports.length, 2);
    for (const r of reports) {
      assert.deepEqual(r.problems, [], `${r.build}: ${r.problems.length} problems`);
      console.log(`# ${r.build}, seed ${seed}: ${r.calls} calls in ${r.seconds.toFixed(1)} s (${r.cpuSeconds.toFixed(1)} s of CPU)`);
    }
  });
}
