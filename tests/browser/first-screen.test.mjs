// SPDX-License-Identifier: MIT
// The article's first screen and the figures' readouts, in Debian's chromium under the strict CSP:
// the hero widget draws above the fold at 1280x800 and 375x700; its verdict (how much the pooled
// output of the sentence moves when the words are shuffled) equals what the package gives for the
// same inputs; hovering a cell reads out the value of the formula at that cell; linked figures
// highlight the same positions; every figure on the page has a readout, reachable by keyboard; and
// axe-core finds nothing in the hero or in an open readout.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { finish, measureCanvases, open, ready, setUp } from './harness.mjs';

const T = { timeout: 60_000 };
const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

const allReady = (page) => page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });

/** The number in a readout's text after its last colon ("…: 0.5403", "…：−0.25"). */
const valueOf = (text) => Number(text.split(/[:：]/).at(-1).trim().replace('−', '-'));

/** Move the mouse to (x, y) CSS pixels of the canvas of figure `name` and return its readout text. */
async function hover(page, name, x, y) {
  const canvas = page.locator(`[data-figure="${name}"] .fig-canvas`);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + x, box.y + y);
  const tip = page.locator(`[data-figure="${name}"] .fig-readout`);
  await tip.waitFor({ state: 'visible', timeout: 5_000 });
  return tip.textContent();
}

for (const [width, height] of [[1280, 800], [375, 700]]) {
  test(`the hero draws above the fold at ${width}x${height}`, T, async () => {
    const ctx = await open(env, 'site/', { setup: (page) => page.setViewportSize({ width, height }) });
    const { page } = ctx;
    await ready(page, 'hero');
    const figs = await measureCanvases(page, 'hero');
    assert.equal(figs.length, 1);
    assert.ok(figs[0].colours >= 8, `the hero drew (${figs[0].colours} colours)`);
    const top = await page.evaluate(() => ({
      widget: document.querySelector('.widget[data-widget="hero"]').getBoundingClientRect().top,
      canvas: document.querySelector('[data-figure="hero-shuffle"] .fig-canvas').getBoundingClientRect().top,
      first: document.querySelector('main').firstElementChild.id,
    }));
    assert.equal(top.first, 'sec-hero', 'the hero is the first thing in the article');
    assert.ok(top.widget < height && top.canvas + 150 < height, `the figure starts at ${top.canvas} px, in a ${height} px window`);
    // Pixels drawn in the part of the canvas inside the window: the two attention matrices.
    const visible = await page.evaluate((height) => {
      const c = document.querySelector('[data-figure="hero-shuffle"] .fig-canvas');
      const dpr = c.width / c.clientWidth;
      const rows = Math.min(c.height, Math.floor((height - c.getBoundingClientRect().top) * dpr));
      const data = c.getContext('2d').getImageData(0, 0, c.width, rows).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    }, height);
    assert.ok(visible >= 16, `${visible} colours above the fold`);
    await finish(ctx);
  });
}

test('the hero\'s verdict for each method equals the package\'s pooled outputs; its readout is the package\'s weight', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=hero');
  const { page } = ctx;
  await ready(page, 'hero');
  // The same inputs, made here: the words' illustrative vectors are 16 uniform numbers in [-1, 1) from
  // mulberry32 seeded by the FNV-1a hash of "posenc:<word>" (web/site/lib/random.js documents them).
  const expected = await page.evaluate(async () => {
    const { init } = await import('/package/index.js');
    const pe = await init();
    const fnv = (s) => { let x = 0x811c9dc5; for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619) >>> 0; return x; };
    const vector = (word) => {
      let a = fnv(`posenc:${word}`);
      return Array.from({ length: 16 }, () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
      });
    };
    const words = ['the', 'cat', 'sat', 'on', 'the', 'mat'];
    const perm = [5, 2, 0, 4, 1, 3];
    const x = Float32Array.from(words.flatMap(vector));
    const xp = Float32Array.from(perm.flatMap((j) => words.map(vector)[j]));
    const run = (input, method) => {
      const position = method === 'rope' ? { method, frequencies: pe.rope.frequencies({ head_dim: 16 }) } : method;
      return pe.attention({ q: input, k: input, v: input, shape: [6, 1, 16], position, returnWeights: true });
    };
    const pooled = (out) => Array.from({ length: 16 }, (_, c) => words.reduce((s, _w, i) => s + out[i * 16 + c], 0) / 6);
    const out = {};
    for (const m of ['none', 'sinusoidal', 'rope', 'alibi']) {
      const a = pooled(run(x, m).output);
      const b = pooled(run(xp, m).output);
      out[m] = Math.max(...a.map((v, c) => Math.abs(v - b[c])));
    }
    // Weight of query "the" (0) on key "cat" (1), no positions.
    out.weight = run(x, 'none').weights[1];
    return out;
  });
  for (const m of ['none', 'sinusoidal', 'rope', 'alibi']) {
    await page.locator('.widget[data-widget="hero"]').getByRole('button', { name: { none: 'none', sinusoidal: 'sinusoidal', rope: 'RoPE', alibi: 'ALiBi' }[m], exact: true }).click();
    await ready(page, 'hero', m === 'none' ? '' : `method=${m}`);
    const v = await page.locator('.widget[data-widget="hero"] .verdict').evaluate((e) => ({ delta: Number(e.dataset.delta), same: e.dataset.same, text: e.textContent }));
    assert.ok(Math.abs(v.delta - expected[m]) <= 1e-6, `${m}: ${v.delta} vs ${expected[m]}`);
    if (m === 'none') {
      assert.ok(expected.none < 1e-6 && v.same === 'true', `no positions: the pooled output does not move (${expected.none})`);
      assert.match(v.text, /unchanged/);
    } else {
      assert.ok(expected[m] > 1e-4 && v.same === 'false', `${m}: the pooled output moves (${expected[m]})`);
      assert.match(v.text, /changed by/);
    }
  }
  // Back to no positions; the readout of the first matrix at row "the", column "cat".
  await page.getByRole('button', { name: 'none', exact: true }).click();
  await ready(page, 'hero', '');
  const geometry = await page.evaluate(() => {
    const c = document.querySelector('[data-figure="hero-shuffle"] .fig-canvas');
    const width = c.clientWidth;
    const side = width >= 600 ? Math.min(200, (width - 316) / 2) : (width - 106) / 2;
    return { x: 52 + 1.5 * (side / 6), y: 52 + 0.5 * (side / 6) };
  });
  const text = await hover(page, 'hero-shuffle', geometry.x, geometry.y);
  assert.match(text, /^the → cat: /);
  assert.ok(Math.abs(valueOf(text) - expected.weight) <= 5e-4 * Math.abs(expected.weight), `${text} vs ${expected.weight}`);
  // The same pair of tokens is outlined in the shuffled sentence: the first "the" (row 2 there), "cat" (column 4).
  assert.equal(await page.locator('[data-figure="hero-shuffle"]').getAttribute('data-linked'), '1');
  await finish(ctx);
});

test('readouts: a sinusoidal cell reads PE(p, i) of the formula; the products panel and the T5 curve highlight the same positions; keys move the cursor', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=sinusoidal');
  const { page } = ctx;
  await ready(page, 'sinusoidal');
  // The table: 128 positions x 128 dimensions in inset(…, { left: 52, top: 34, right: 8, bottom: 26 }).
  const size = await page.locator('[data-figure="sinusoidal-table"] .fig-canvas').evaluate((c) => [c.clientWidth, c.clientHeight]);
  const [p, c] = [10, 3];
  const text = await hover(page, 'sinusoidal-table', 52 + ((c + 0.5) * (size[0] - 60)) / 128, 34 + ((p + 0.5) * (size[1] - 60)) / 128);
  const expected = Math.cos(p / 10000 ** (2 / 128));  // dimension 3 = cos of pair 1
  assert.match(text, /^PE\(10, 3\), pair i = 1: /);
  assert.ok(Math.abs(valueOf(text) - expected) <= 5e-4, `${text} vs ${expected}`);
  // Row p of the products panel and column p: two lines; pair 1 on the wavelength plot: one point.
  assert.equal(await page.locator('[data-figure="sinusoidal-similarity"]').getAttribute('data-linked'), '2');
  assert.equal(await page.locator('[data-figure="sinusoidal-wavelength"]').getAttribute('data-linked'), '1');
  const overlayInk = await page.locator('[data-figure="sinusoidal-similarity"] .fig-overlay').evaluate((o) => {
    const data = o.getContext('2d').getImageData(0, 0, o.width, o.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n += 1;
    return n;
  });
  assert.ok(overlayInk > 100, `the products panel outlines row and column 10 (${overlayInk} pixels)`);
  // Keyboard: focus the wavelength plot, move right, the text follows; Escape hides it.
  const wave = page.locator('[data-figure="sinusoidal-wavelength"] .fig-canvas');
  await page.mouse.move(0, 0);
  await wave.focus();
  const tip = page.locator('[data-figure="sinusoidal-wavelength"] .fig-readout');
  await tip.waitFor({ state: 'visible' });
  assert.equal(await tip.getAttribute('aria-live'), 'polite');
  const first = await tip.textContent();
  await page.keyboard.press('ArrowRight');
  const second = await tip.textContent();
  assert.match(second, /^pair i = 1: /);
  assert.ok(Math.abs(valueOf(second) - 2 * Math.PI * 10000 ** (2 / 128)) <= 5e-4 * 2 * Math.PI * 10000 ** (2 / 128), second);
  assert.notEqual(first, second);
  await page.keyboard.press('Escape');
  assert.equal(await tip.isVisible(), false);
  await finish(ctx);

  // T5: a cell of the bias matrix (j − i = 3) marks the point j − i = 3 of the bucket curve, and a point of the curve its diagonal.
  const t5 = await open(env, 'site/embed.html?w=t5#t5.length=10');
  await ready(t5.page, 't5');
  const side = await t5.page.locator('[data-figure="t5-bias"] .fig-canvas').evaluate((c) => Math.min(c.clientWidth - 56, c.clientHeight - 62));
  const cell = await hover(t5.page, 't5-bias', 46 + 5.5 * (side / 10), 30 + 2.5 * (side / 10));
  // Bidirectional, 32 buckets: keys after the query use buckets 16…31, and 3 < 8 is an exact bucket: 16 + 3.
  assert.match(cell, /^i = 2, j = 5, j − i = 3, bucket 19: /);
  assert.equal(await t5.page.locator('[data-figure="t5-buckets"]').getAttribute('data-linked'), '1');
  await finish(t5);
});

test('every figure of the article has a readout, and axe-core finds nothing in the hero and an open readout', T, async () => {
  const ctx = await open(env, 'site/');
  const { page } = ctx;
  await allReady(page);
  const figures = await page.evaluate(() => [...document.querySelectorAll('.fig')].filter((f) => f.offsetParent !== null).map((f) => ({
    name: f.dataset.figure, readout: Number(f.dataset.readout ?? 0), focusable: f.querySelector('.fig-canvas').tabIndex === 0,
    run: f.closest('.widget').dataset.run ?? null,
  })));
  assert.ok(figures.length >= 20, `${figures.length} figures`);
  // The train-short-test-long figures have nothing to read before a run is started; the attention
  // playground's block diagram shows where each method acts, no values.
  const missing = figures.filter((f) => !(f.readout > 0 && f.focusable) && f.run !== 'idle' && f.name !== 'attention-block');
  assert.deepEqual(missing, []);
  console.log(`# ${figures.filter((f) => f.readout > 0).length} of ${figures.length} figures have readouts (${figures.filter((f) => f.readout === 0).map((f) => f.name).join(', ')} have none: a diagram, and the figures of a run not started)`);
  // An open readout in the hero, then axe on the hero widget.
  const box = await page.locator('[data-figure="hero-shuffle"] .fig-canvas').boundingBox();
  await page.mouse.move(box.x + 90, box.y + 90);
  await page.locator('[data-figure="hero-shuffle"] .fig-readout').waitFor({ state: 'visible' });
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document.querySelector('.widget[data-widget="hero"]'), { resultTypes: ['violations'] }));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  await finish(ctx);
});
