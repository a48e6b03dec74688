// SPDX-License-Identifier: MIT
// The demo site (web/site/) in Debian's chromium, served with the strict CSP of scripts/serve.mjs:
// the heatmap draws, the controls and the URL hash stay in step, hostile hashes are harmless, and
// nothing logs an error or violates the CSP. Run: node --test tests/browser/
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CSP, startServer } from '../../scripts/serve.mjs';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const DEFAULT_HASH = '#length=128&dim=128&base=10000&layout=vaswani';
const T = { timeout: 30_000 };

let server;
let context;
let profile;

before(async () => {
  server = await startServer({ port: 0 });
  profile = await mkdtemp(join(tmpdir(), 'posenc-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  // Record CSP violations from the very start of every document (init scripts are not subject to the CSP).
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    }, true);
  });
});

after(async () => {
  await context?.close();
  await server?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** Open the site with `hash`; every error, failed request, dialog or CSP violation is collected. */
async function open(hash = '', { setup } = {}) {
  const page = await context.newPage();
  const problems = [];
  const dialogs = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  if (setup) await setup(page);
  const response = await page.goto(`${server.url}site/${hash}`);
  return { page, problems, dialogs, response };
}

/** Assert nothing went wrong on the page (errors, dialogs, CSP violations), then close it. */
async function finish({ page, problems, dialogs }) {
  const violations = await page.evaluate(() => window.__cspViolations);
  await page.close();
  assert.deepEqual(problems, [], 'errors on the page');
  assert.deepEqual(dialogs, [], 'dialogs opened');
  assert.deepEqual(violations, [], 'CSP violations');
}

/** Wait until the widget has drawn the table of `hash` (without '#'; any table when omitted). */
async function drawn(page, hash) {
  await page.waitForFunction((want) => {
    const w = document.querySelector('.widget');
    return w?.dataset.status === 'ready' && (want === null || w.dataset.drawn === want);
  }, hash ? hash.replace(/^#/, '') : null, { timeout: 10_000 });
}

/** Wait until the URL hash is `hash` (the store writes it shortly after a change). */
async function hashIs(page, hash) {
  await page.waitForFunction((want) => location.hash === want, hash, { timeout: 5_000 });
}

/** Figures of the canvas: distinct colours and colour classes in the plot, a checksum of all pixels. */
function measure(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('.heatmap-canvas');
    const ctx = canvas.getContext('2d');
    const [x, y, w, h] = canvas.dataset.plot.split(',').map(Number);
    const plot = ctx.getImageData(x, y, w, h).data;
    const colours = new Set();
    let blue = 0;
    let red = 0;
    let pale = 0;
    for (let i = 0; i < plot.length; i += 4) {
      const [r, g, b] = [plot[i], plot[i + 1], plot[i + 2]];
      colours.add((r << 16) | (g << 8) | b);
      if (b > r + 60) blue++;
      else if (r > b + 60) red++;
      else if (r > 220 && g > 220 && b > 220) pale++;
    }
    const all = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let checksum = 0x811c9dc5;
    for (let i = 0; i < all.length; i++) checksum = Math.imul(checksum ^ all[i], 16777619) >>> 0;
    const n = w * h;
    return { colours: colours.size, blue: blue / n, red: red / n, pale: pale / n, checksum, size: [canvas.width, canvas.height] };
  });
}

/** RGB at the centre of cell (row, col) of a `length` x `dim` table. */
function cell(page, row, col, length, dim) {
  return page.evaluate(([row, col, length, dim]) => {
    const canvas = document.querySelector('.heatmap-canvas');
    const [x, y, w, h] = canvas.dataset.plot.split(',').map(Number);
    const px = Math.floor(x + ((col + 0.5) * w) / dim);
    const py = Math.floor(y + ((row + 0.5) * h) / length);
    return [...canvas.getContext('2d').getImageData(px, py, 1, 1).data.slice(0, 3)];
  }, [row, col, length, dim]);
}

const isPale = ([r, g, b]) => r > 220 && g > 220 && b > 220;        // value ~ 0
const isRed = ([r, g, b]) => r > 80 && r > b + 60 && r > g + 60;    // value ~ +1

/** What the controls show. */
function controls(page) {
  return page.evaluate(() => {
    const field = (name) => document.getElementById(
      [...document.querySelectorAll('.control label')].find((l) => l.textContent === name).htmlFor);
    return {
      length: field('Length (positions)').value,
      dim: field('Dimension d').value,
      base: field('Base b').value,
      layout: field('Layout').value,
    };
  });
}

test('the page is served with the strict CSP, draws the table and logs nothing', T, async () => {
  const ctx = await open();
  const { page, response } = ctx;
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-security-policy'], CSP);
  const html = await response.text();
  assert.doesNotMatch(html, /style\s*=/i, 'no style attributes');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline scripts');
  const meta = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.equal(meta, CSP.replace(/; frame-ancestors [^;]*/, ''));

  await drawn(page, DEFAULT_HASH);
  assert.equal(await page.evaluate(() => location.hash), DEFAULT_HASH, 'the canonical hash is written on load');
  assert.deepEqual(await controls(page), { length: '128', dim: '128', base: '10000', layout: 'vaswani' });

  const m = await measure(page);
  assert.ok(m.colours > 200, `many colours in the heatmap (${m.colours})`);
  assert.ok(m.blue > 0.05 && m.red > 0.05, `both ends of the colour map are used (blue ${m.blue}, red ${m.red})`);
  // Row 0 of the vaswani layout: sin(0) = 0 at even columns (pale), cos(0) = 1 at odd ones (red).
  assert.ok(isPale(await cell(page, 0, 0, 128, 128)), 'PE(0, 0) = 0 is drawn pale');
  assert.ok(isRed(await cell(page, 0, 1, 128, 128)), 'PE(0, 1) = 1 is drawn red');

  const status = await page.textContent('.widget-status');
  assert.match(status, /^SIMD build \(wasm-simd128\) · 128 × 128 table computed in \d+(\.\d+)? ms$/);
  const caption = await page.textContent('.formula');
  assert.match(caption, /^vaswani: PE\(p, 2i\) = sin\(p\/b2i\/d\), PE\(p, 2i\+1\) = cos\(p\/b2i\/d\); b = 10000, d = 128$/);
  assert.match(await page.textContent('#site-status'), /WebAssembly SIMD build \(wasm-simd128\)/);
  await finish(ctx);
});

test('the controls update the hash and the drawing', T, async () => {
  const ctx = await open();
  const { page } = ctx;
  await drawn(page, DEFAULT_HASH);
  const before = await measure(page);

  await page.getByLabel('Layout').selectOption('fairseq');
  await drawn(page, 'length=128&dim=128&base=10000&layout=fairseq');
  await hashIs(page, '#length=128&dim=128&base=10000&layout=fairseq');
  const fairseq = await measure(page);
  assert.notEqual(fairseq.checksum, before.checksum, 'the drawing changed');
  assert.ok(fairseq.colours > 200);
  // Row 0 of the fairseq layout: sines (0, pale) in the first half, cosines (1, red) in the second.
  assert.ok(isPale(await cell(page, 0, 1, 128, 128)), 'PE(0, 1) = sin(0) is pale in fairseq');
  assert.ok(isRed(await cell(page, 0, 64, 128, 128)), 'PE(0, 64) = cos(0) is red in fairseq');
  assert.match(await page.textContent('.formula'), /^fairseq: PE\(p, k\) = sin\(p·wk\), PE\(p, d\/2\+k\) = cos\(p·wk\), wk = b−k\/\(d\/2−1\)/);

  // Typing a value: committed with Enter; odd and out-of-range values are brought into range.
  const dim = page.getByRole('spinbutton', { name: 'Dimension d' });
  await dim.fill('32');
  await dim.press('Enter');
  await drawn(page, 'length=128&dim=32&base=10000&layout=fairseq');
  await hashIs(page, '#length=128&dim=32&base=10000&layout=fairseq');
  assert.notEqual((await measure(page)).checksum, fairseq.checksum);
  await dim.fill('33');
  await dim.press('Enter');
  await drawn(page, 'length=128&dim=34&base=10000&layout=fairseq');
  assert.equal(await dim.inputValue(), '34');
  await dim.fill('5000');
  await dim.press('Tab');
  await drawn(page, 'length=128&dim=1024&base=10000&layout=fairseq');
  assert.equal(await dim.inputValue(), '1024');

  // The keyboard on the sliders.
  const lengthSlider = page.getByRole('slider', { name: 'Length (positions)' });
  await lengthSlider.focus();
  await page.keyboard.press('ArrowRight');
  await drawn(page, 'length=129&dim=1024&base=10000&layout=fairseq');
  await page.getByRole('slider', { name: 'Base b' }).focus();
  await page.keyboard.press('Home');
  await drawn(page, 'length=129&dim=1024&base=2&layout=fairseq');
  await hashIs(page, '#length=129&dim=1024&base=2&layout=fairseq');
  assert.deepEqual(await controls(page), { length: '129', dim: '1024', base: '2', layout: 'fairseq' });
  await finish(ctx);
});

test('a hash restores the view the controls give, and survives a reload', T, async () => {
  const settings = '#length=200&dim=48&base=100&layout=fairseq';
  const viaUi = await open();
  await drawn(viaUi.page, DEFAULT_HASH);
  for (const [label, value] of [['Length (positions)', '200'], ['Dimension d', '48'], ['Base b', '100']]) {
    const field = viaUi.page.getByRole('spinbutton', { name: label });
    await field.fill(value);
    await field.press('Enter');
  }
  await viaUi.page.getByLabel('Layout').selectOption('fairseq');
  await drawn(viaUi.page, settings);
  await hashIs(viaUi.page, settings);
  const expected = await measure(viaUi.page);
  await finish(viaUi);

  const viaHash = await open(settings);
  const { page } = viaHash;
  await drawn(page, settings);
  assert.deepEqual(await controls(page), { length: '200', dim: '48', base: '100', layout: 'fairseq' });
  assert.equal((await measure(page)).checksum, expected.checksum, 'same drawing as via the controls');

  await page.reload();
  await drawn(page, settings);
  assert.equal(await page.evaluate(() => location.hash), settings);
  assert.deepEqual(await controls(page), { length: '200', dim: '48', base: '100', layout: 'fairseq' });
  assert.equal((await measure(page)).checksum, expected.checksum, 'same drawing after a reload');

  // The user edits the URL: the controls and the drawing follow.
  await page.evaluate(() => { location.hash = '#length=16&dim=8&base=50&layout=vaswani'; });
  await drawn(page, 'length=16&dim=8&base=50&layout=vaswani');
  assert.deepEqual(await controls(page), { length: '16', dim: '8', base: '50', layout: 'vaswani' });
  assert.notEqual((await measure(page)).checksum, expected.checksum);
  assert.ok(isRed(await cell(page, 0, 1, 16, 8)), 'PE(0, 1) = cos(0) is red in vaswani');
  await finish(viaHash);
});

test('hostile hashes are clamped or ignored and never reach the page as HTML', T, async () => {
  const cases = [
    ['#length=<script>alert(1)</script>&dim=NaN&base=1e309&layout=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E',
      { length: '128', dim: '128', base: '1000000', layout: 'vaswani' }],
    ['#length=-5&dim=99999&base=-1&layout=FAIRSEQ&__proto__=%7B%7D&constructor=x',
      { length: '1', dim: '1024', base: '2', layout: 'vaswani' }],
    ['#length=1e400&dim=7&base=Infinity&layout=&length=3',
      { length: '2048', dim: '8', base: '10000', layout: 'vaswani' }],
    ['#length=%E0%A4%A&dim=0x40&base=%00&layout=fairseq%00"><svg/onload=alert(1)>',
      { length: '128', dim: '128', base: '10000', layout: 'vaswani' }],
    ['#' + 'length=9&'.repeat(2000) + 'dim=' + '9'.repeat(5000),
      { length: '9', dim: '128', base: '10000', layout: 'vaswani' }],
  ];
  for (const [hash, want] of cases) {
    const ctx = await open(hash);
    const { page } = ctx;
    const canonical = `#length=${want.length}&dim=${want.dim}&base=${want.base}&layout=${want.layout}`;
    await drawn(page, canonical);
    assert.deepEqual(await controls(page), want, hash.slice(0, 80));
    assert.equal(await page.evaluate(() => location.hash), canonical, 'the hash is rewritten in canonical form');
    const dom = await page.evaluate(() => ({
      img: document.querySelectorAll('img, svg, iframe, object, embed').length,
      scripts: [...document.scripts].map((s) => s.getAttribute('src')),
      html: document.documentElement.outerHTML,
    }));
    assert.equal(dom.img, 0, 'no element from the hash');
    assert.deepEqual(dom.scripts, ['main.js']);
    assert.doesNotMatch(dom.html, /alert\(|onerror|onload/, 'nothing of the hash in the document');
    const m = await measure(page);
    // (length=1 is a single row of sin(0) = 0 and cos(0) = 1: two colours.)
    assert.ok(m.colours >= (want.length === '1' ? 2 : 20) && m.red > 0.1, `the heatmap still draws (${m.colours} colours)`);
    await finish(ctx);
  }

  // The same through a hashchange after load.
  const ctx = await open();
  await drawn(ctx.page, DEFAULT_HASH);
  await ctx.page.evaluate((h) => { location.hash = h; }, cases[0][0]);
  await drawn(ctx.page, '#length=128&dim=128&base=1000000&layout=vaswani');
  await hashIs(ctx.page, '#length=128&dim=128&base=1000000&layout=vaswani');
  assert.equal(await ctx.page.evaluate(() => document.querySelectorAll('img, svg').length), 0);
  await finish(ctx);
});

test('an error thrown by the package is shown as text in the widget', T, async () => {
  // Serve a stand-in for the package's sinusoidal wrapper that always throws, with markup in its message.
  const ctx = await open('#length=10&dim=8', {
    setup: (page) => page.route('**/package/lib/sinusoidal.js', (route) => route.fulfill({
      contentType: 'text/javascript',
      body: 'const fail = () => { throw new RangeError("posenc.sinusoidal: <img src=x onerror=alert(1)> bad"); };\n' +
        'export function sinusoidal() { fail(); }\nexport function bind() { return { sinusoidal: fail }; }',
    })),
  });
  const { page } = ctx;
  await page.waitForFunction(() => document.querySelector('.widget')?.dataset.status === 'error');
  assert.equal(await page.textContent('.widget-error'),
    'The table could not be computed: posenc.sinusoidal: <img src=x onerror=alert(1)> bad');
  assert.equal(await page.isVisible('.widget-error'), true);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
  await finish(ctx);
});

test('the harness notices CSP violations (inline script is blocked)', T, async () => {
  const { page } = await open();
  await drawn(page);
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__ran = true';
    document.body.append(s);
  });
  await page.waitForFunction(() => window.__cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.__ran), undefined, 'the inline script did not run');
  await page.close();
});

test('screenshots: desktop, 375 px wide, dark', T, async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  const ctx = await open('#length=256&dim=128&base=10000&layout=vaswani');
  const { page } = ctx;
  await drawn(page, '#length=256&dim=128&base=10000&layout=vaswani');
  await page.screenshot({ path: join(ARTIFACTS, 'site-sinusoidal.png'), fullPage: true });

  const draws = () => page.evaluate(() => Number(document.querySelector('.widget').dataset.draws));
  let before = await draws();
  await page.setViewportSize({ width: 375, height: 740 });
  await page.waitForFunction((n) => Number(document.querySelector('.widget').dataset.draws) > n, before);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 375 px (overflow ${overflow})`);
  assert.ok((await measure(page)).colours > 100);
  await page.screenshot({ path: join(ARTIFACTS, 'site-sinusoidal-375.png'), fullPage: true });

  // Dark: the page follows prefers-color-scheme and the canvas is redrawn with light axis text.
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.emulateMedia({ colorScheme: 'dark' });
  before = await draws();
  await page.waitForFunction((n) => Number(document.querySelector('.widget').dataset.draws) > n &&
    getComputedStyle(document.body).backgroundColor !== 'rgb(246, 247, 249)', before);
  await page.screenshot({ path: join(ARTIFACTS, 'site-sinusoidal-dark.png'), fullPage: true });
  await finish(ctx);
});
