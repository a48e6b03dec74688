// SPDX-License-Identifier: MIT
// The attention playground's two ideas shown, not told: where each position method acts in the
// attention block (CLAIMS 9: the diagram marks the place, checked against a table written here from
// the methods' definitions), and what attention costs (CLAIMS 14): weights above L = 512 drawn
// pooled (their numbers equal block means of pe.attention's own weights, computed here; computed
// in the package's pool of workers on the site's page, on the page's own thread by the custom
// element, the same numbers), and time and memory against the length measured live in Web Workers,
// the reference measurement drawn before that; no worker is left behind.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WEB, finish, measureCanvases, open, ready, setUp } from './harness.mjs';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

const T = { timeout: 120_000 };
const ID = 'attention';
const W = `.widget[data-widget="${ID}"]`;
let pooledCsv = null;  // the CSV of the pooled weights computed in workers, to compare with the custom element's

// Where position information enters, per method (CLAIMS.md claim 9 and the methods' papers).
const ENTERS = {
  none: 'nowhere', sinusoidal: 'input', learned: 'input', rope: 'rotate', xpos: 'rotate',
  alibi: 'bias', t5: 'bias', kerple: 'bias', shaw: 'shawScores shawValues',
};

/** Pixels of the diagram in the accent colour (--c2 of the page's theme). */
function accentPixels(page) {
  return page.evaluate(() => {
    const fig = document.querySelector('[data-figure="attention-block"]');
    const css = getComputedStyle(fig).getPropertyValue('--c2').trim();
    const probe = document.createElement('canvas').getContext('2d');
    probe.fillStyle = css;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
    const canvas = fig.querySelector('canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30) n++;
    return n;
  });
}

test('the diagram marks where each method puts position information, and nothing for NoPE', T, async () => {
  const ctx = await open(env, `site/embed.html?w=${ID}`);
  const { page } = ctx;
  await ready(page, ID);
  const fig = '[data-figure="attention-block"]';
  for (const [method, where] of Object.entries(ENTERS)) {
    await page.getByLabel('Position method', { exact: true }).selectOption(method);
    await page.waitForFunction(([fig, where]) => document.querySelector(fig)?.dataset.enters === where, [fig, where]);
    const accent = await accentPixels(page);
    if (method === 'none') assert.equal(accent, 0, 'NoPE: no place marked');
    else assert.ok(accent > 40, `${method}: the place is marked (${accent} accent pixels)`);
    if (method === 'none') assert.match(await page.textContent(`${fig} figcaption`), /enters nowhere/);
  }
  await finish(ctx);
});

test('above L = 512 the weights are drawn pooled to 512 x 512, each pixel the mean of pe.attention\'s weights in its block', T, async () => {
  const ctx = await open(env, `site/embed.html?w=${ID}#${ID}.length=1000&${ID}.heads=2&${ID}.headdim=8&${ID}.head=1&${ID}.method=rope`);
  const { page } = ctx;
  await ready(page, ID);
  await page.waitForFunction((W) => /calls of \d+ queries/.test(document.querySelector(W).textContent), W, { timeout: 30_000 });
  // Computed in the package's pool of workers, one per core (at most 8), each call (512 queries, at
  // least 64 per worker) split over all of them.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = Math.min(8, cores);
  const call = Math.max(512, 64 * threads);
  const line = await page.locator(`${W} .widget-body > p.note`).first().textContent();
  assert.match(line, new RegExp(`^L = 1000: 2,000,000 query-key pairs, ${Math.ceil(1000 / call)} calls of ${call} queries, ` +
    `each split over ${threads} threads? \\(Web Workers\\), \\d+ ms in all\\.$`));
  assert.equal(page.workers().filter((w) => w.url().endsWith('/site/dist/worker-thread.js')).length, threads, 'the pool\'s workers');
  for (const f of await measureCanvases(page, ID)) assert.ok(f.colours >= 16, `${f.name} drew (${f.colours} colours)`);
  const check = await page.evaluate(async () => {
    const { init } = await import('/package/index.js');
    const pe = await init();
    // The widget's inputs: seeded uniform numbers (lib/random.js), seed 1.
    const { uniform } = await import('/site/lib/random.js');
    const L = 1000;
    const n = L * 2 * 8;
    const r = pe.attention({ q: uniform(n, 1001), k: uniform(n, 2001), v: uniform(n, 3001), shape: [L, 2, 8],
      position: { method: 'rope', frequencies: pe.rope.frequencies({ head_dim: 8 }) }, causal: true, returnWeights: true, streaming: false });
    const head = r.weights.subarray(L * L, 2 * L * L);
    // Block (gi, gj) of the 512 x 512 grid holds rows i with floor(i * 512 / L) = gi, columns likewise.
    const mean = (gi, gj) => {
      let s = 0;
      let c = 0;
      for (let i = 0; i < L; i++) {
        if (Math.floor((i * 512) / L) !== gi) continue;
        for (let j = 0; j < L; j++) if (Math.floor((j * 512) / L) === gj) { s += head[i * L + j]; c++; }
      }
      return s / c;
    };
    return [[0, 0], [300, 100], [511, 511], [400, 399]].map(([gi, gj]) => ({ gi, gj, expected: mean(gi, gj) }));
  });
  // The CSV download holds the pooled grid.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-figure="attention-weights"] button', { hasText: 'CSV' }).click()]);
  const csv = (await readFile(await download.path(), 'utf8')).trim();
  pooledCsv = csv.split('\n').join('\n');
  const rows = csv.split('\n').slice(1).map((line) => line.split(',').map(Number));
  assert.equal(rows.length, 512);
  for (const { gi, gj, expected } of check) {
    const got = rows[gi][gj + 1];
    assert.ok(Math.abs(got - expected) <= 1e-6 + 1e-5 * Math.abs(expected), `cell (${gi}, ${gj}): ${got} vs ${expected}`);
  }
  await finish(ctx);
});

test('the custom element (no workers) computes the long weights on the page\'s own thread, the same pooled numbers', T, async () => {
  const url = await env.page('attention-element.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>attention element</title>
<link rel="icon" href="/site/favicon.svg" type="image/svg+xml"></head>
<body><posenc-attention length="1000" heads="2" headdim="8" head="1" method="rope"></posenc-attention>
<script type="module" src="/site/dist/posenc-widgets.js"></script></body></html>
`);
  const ctx = await open(env, url);
  const { page } = ctx;
  const line = () => page.evaluate(() => document.querySelector('posenc-attention').shadowRoot.querySelector('.widget-body > p.note')?.textContent ?? '');
  await page.waitForFunction(() => /calls of/.test(document.querySelector('posenc-attention')?.shadowRoot?.querySelector('.widget-body > p.note')?.textContent),
    null, { timeout: 30_000 });
  assert.match(await line(), /^L = 1000: 2,000,000 query-key pairs, 16 calls of 64 queries on 1 thread \(this page's own, no workers here\), \d+ ms in all\.$/);
  assert.equal(page.workers().length, 0, 'no worker');
  // The same pooled grid as the site's page (computed in workers there): the CSV's cells.
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.locator('posenc-attention [data-figure="attention-weights"] button', { hasText: 'CSV' }).click()]);
  const rows = (await readFile(await download.path(), 'utf8')).trim().split('\n');
  assert.equal(rows.length, 513);
  if (pooledCsv) assert.equal(rows.join('\n'), pooledCsv, 'the same CSV, bit for bit, as the pool of workers gave');
  await finish(ctx);
});

test('cost: the reference measurement is drawn at once; in view, both paths are measured in workers; time grows, memory grows only for the plain path', T, async () => {
  const reference = JSON.parse(await readFile(join(WEB, 'site/data/attention-cost.json'), 'utf8'));
  assert.match(reference.generatedBy, /^node scripts\/attention-cost\.mjs/);
  assert.ok(reference.points.filter((p) => p.path === 'plain').length >= 4 && reference.points.filter((p) => p.path === 'streaming').length >= 4);
  const ctx = await open(env, `site/embed.html?w=${ID}`);
  const { page } = ctx;
  await page.setViewportSize({ width: 1100, height: 500 });
  await ready(page, ID);
  const cost = page.locator('[data-figure="attention-cost"]');
  await cost.waitFor({ state: 'attached' });
  await page.waitForFunction(() => Number(document.querySelector('[data-figure="attention-cost"]').dataset.reference) > 0);
  assert.equal(await cost.getAttribute('data-measuring'), null, 'nothing measured before the figure is seen');
  const before = (await measureCanvases(page, ID)).find((f) => f.name === 'attention-cost');
  assert.ok(before.colours >= 8, 'the reference points and axes are drawn');
  await cost.scrollIntoViewIfNeeded();
  let workers = 0;
  for (let i = 0; i < 600 && (await cost.getAttribute('data-measuring')) !== 'done'; i++) {
    workers = Math.max(workers, page.workers().length);
    await page.waitForTimeout(100);
  }
  assert.equal(await cost.getAttribute('data-measuring'), 'done');
  assert.ok(workers >= 1, 'measured in a worker');
  const points = JSON.parse(await cost.getAttribute('data-points'));
  for (const path of ['plain', 'streaming']) {
    assert.ok(points[path].length >= 4, `${path}: ${points[path].length} lengths`);
    const [first, last] = [points[path][0], points[path].at(-1)];
    assert.ok(last[1] > first[1], `${path}: the longest length takes longer than the shortest`);
  }
  // The plain path holds heads * L^2 float weights: its heap is at least that at its longest length.
  const plainLast = points.plain.at(-1);
  assert.ok(plainLast[2] >= 4 * plainLast[0] ** 2 * 4, `plain heap ${plainLast[2]} >= its weights`);
  // The streaming path reaches at least the plain path's longest length with a smaller heap.
  const streamingThere = points.streaming.find(([L]) => L === plainLast[0]);
  assert.ok(streamingThere && streamingThere[2] < plainLast[2], 'streaming needs less memory at the same length');
  assert.match(await page.textContent('.cost-foot'), /Measured on this device: plain up to L = [\d,]+.*streaming up to L = [\d,]+/);
  assert.equal(page.workers().length, 0, 'no worker left');
  await finish(ctx);
});
