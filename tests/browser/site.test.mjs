// SPDX-License-Identifier: MIT
// The article page (web/site/index.html) in Debian's chromium, served with the strict CSP of
// scripts/serve.mjs: every widget draws and nothing logs an error or violates the CSP; the first
// widget is interactive quickly; language and theme live in the URL; hostile URL values are
// clamped or ignored and never reach the page as HTML; package errors are shown as text; figures
// export as PNG and CSV; the claims the widgets make hold in the numbers they show.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, CSP, IDS, draws, drawsAbove, finish, hashHas, measureCanvases, median, open, ready, setUp, widgetError } from './harness.mjs';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

const T = { timeout: 60_000 };

async function allReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });
}

test('the article is served with the strict CSP, every widget draws, nothing is logged', T, async () => {
  const ctx = await open(env, 'site/');
  const { page, response } = ctx;
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-security-policy'], CSP);
  const html = await response.text();
  assert.doesNotMatch(html, /style\s*=/i, 'no style attributes');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline scripts');
  assert.doesNotMatch(html, /<style/i, 'no style elements');
  assert.equal(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content'), CSP.replace(/; frame-ancestors [^;]*/, ''));
  await allReady(page);
  for (const id of IDS) {
    await ready(page, id);
    const error = await widgetError(page, id);
    if (/has no pe\./.test(error)) continue;  // a method this build of the package lacks
    assert.equal(error, '', `${id}: no error`);
    for (const f of await measureCanvases(page, id)) assert.ok(f.colours >= 8, `${id}/${f.name} drew (${f.colours} colours)`);
  }
  assert.equal(await page.evaluate(() => location.hash), '', 'defaults need no hash');
  assert.match(await page.textContent('#site-status'), /WebAssembly SIMD build \(wasm-simd128\)/);
  assert.ok(await page.isVisible('#sec-extrapolation .widget[data-widget="extrapolation"]'), 'the live reproduction is in its section');
  assert.equal(await page.locator('.widget[data-widget="extrapolation"]').getAttribute('data-run'), 'idle', 'nothing trains until Start');
  await finish(ctx);
});

test('time to the first interactive widget (performance marks), median of 3 loads', T, async () => {
  const results = [];
  for (let i = 0; i < 3; i++) {
    const ctx = await open(env, 'site/');
    await ctx.page.waitForFunction(() => document.documentElement.dataset.firstWidget === 'ready', null, { timeout: 10_000 });
    const m = await ctx.page.evaluate(() => {
      const mark = (name) => performance.getEntriesByName(name)[0]?.startTime;
      return { firstWidget: mark('posenc:first-widget'), loaded: mark('posenc:loaded'), domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd };
    });
    // Interactive: a control of the first widget changes its drawing.
    const n = await draws(ctx.page, 'embedding');
    const dim = ctx.page.locator('.widget[data-widget="embedding"]').getByRole('spinbutton', { name: 'Dimension d' });
    await dim.fill('34');
    await dim.press('Enter');
    await drawsAbove(ctx.page, 'embedding', n);
    await allReady(ctx.page);
    m.allWidgets = await ctx.page.evaluate(() => performance.getEntriesByName('posenc:all-widgets')[0].startTime);
    results.push(m);
    await finish(ctx);
  }
  const tti = median(results.map((r) => r.firstWidget));
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'load-timings.json'), JSON.stringify({ medianFirstWidgetMs: tti, runs: results }, null, 2));
  console.log(`# first widget interactive after ${tti.toFixed(0)} ms (median of 3; all ten widgets after ${median(results.map((r) => r.allWidgets)).toFixed(0)} ms)`);
  assert.ok(tti < 1000, `first widget interactive within 1 s of navigation (${tti.toFixed(0)} ms)`);
});

test('language: the switch is kept in the URL, the page and the widgets change language, a reload keeps it', T, async () => {
  const ctx = await open(env, 'site/');
  const { page } = ctx;
  await allReady(page);
  await page.getByRole('button', { name: '日本語' }).click();
  await hashHas(page, [['lang', 'ja']]);
  await allReady(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.equal(await page.textContent('.widget[data-widget="rope"] h2'), 'RoPE：埋め込みではなく q と k を回転する');
  assert.equal(await page.isVisible('.lead.l-ja'), true);
  assert.equal(await page.isVisible('.lead.l-en'), false);
  assert.equal(await page.title(), 'posenc：位置エンコーディングを描いて確かめる');
  await page.reload();
  await allReady(page);
  assert.equal(await page.textContent('.widget[data-widget="alibi"] h2'), 'ALiBi：距離に比例するロジットへのペナルティ');
  assert.equal(await page.getAttribute('[data-set-lang="ja"]', 'aria-pressed'), 'true');
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(() => location.hash === '');
  await allReady(page);
  assert.equal(await page.textContent('.widget[data-widget="alibi"] h2'), 'ALiBi: a penalty on the logits, linear in distance');
  await finish(ctx);
});

test('theme: follows prefers-color-scheme, the toggle overrides it and is kept in the URL, figures are redrawn', T, async () => {
  const ctx = await open(env, 'site/');
  const { page } = ctx;
  await allReady(page);
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const painted = () => page.evaluate(() => Number(document.querySelector('[data-figure="alibi-bias"]').dataset.painted));
  assert.equal(await bg(), 'rgb(246, 247, 249)');
  let n = await painted();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction((n) => Number(document.querySelector('[data-figure="alibi-bias"]').dataset.painted) > n, n);
  assert.equal(await bg(), 'rgb(15, 18, 22)');
  n = await painted();
  await page.getByLabel('Theme').selectOption('light');
  await hashHas(page, [['theme', 'light']]);
  await page.waitForFunction((n) => Number(document.querySelector('[data-figure="alibi-bias"]').dataset.painted) > n, n);
  assert.equal(await bg(), 'rgb(246, 247, 249)', 'the toggle wins over the system setting');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByLabel('Theme').selectOption('dark');
  await hashHas(page, [['theme', 'dark']]);
  assert.equal(await bg(), 'rgb(15, 18, 22)');
  await page.reload();
  await allReady(page);
  assert.equal(await bg(), 'rgb(15, 18, 22)', 'kept after a reload');
  assert.equal(await page.getByLabel('Theme').inputValue(), 'dark');
  await finish(ctx);
});

test('hostile URL values are clamped or ignored and never reach the page as HTML', T, async () => {
  const evil = '<script>alert(1)</script>';
  const img = '"><img src=x onerror=alert(1)>';
  const values = {
    lang: evil, theme: 'javascript:alert(1)',
    'embedding.sentence': evil, 'embedding.dim': 'NaN', 'embedding.base': '1e309',
    'shuffle.sentence': img, 'shuffle.order': '9,9,9', 'shuffle.method': evil, 'shuffle.causal': 'yes',
    'learned.pos': '-1e400', 'learned.dim': '1e99', 'learned.preset': '__proto__',
    'sinusoidal.length': '99999999999', 'sinusoidal.dim': '0x40', 'sinusoidal.layout': img,
    'shaw.k': 'Infinity', 'shaw.length': '-3',
    't5.buckets': '1e5', 't5.maxdist': 'NaN', 't5.bidirectional': evil,
    'rope.dim': '7', 'rope.pos': '1e309', 'rope.theta': '-5', 'rope.play': 'NaN', 'rope.span': evil,
    'scaling.preset': 'custom', 'scaling.config': '{"head_dim":"<img src=x onerror=alert(1)>","__proto__":{"polluted":1}}', 'scaling.seqlen': '1e20',
    'alibi.heads': '1e400', 'alibi.head': '-1', 'alibi.length': evil,
    'models.model': img, 'models.plot': evil, 'models.seqlen': '-1',
    'attention.method': 'constructor', 'attention.length': 'NaN', 'attention.heads': '99', 'attention.head': '1e9',
    __proto__: 'x',
  };
  const hash = `#${new URLSearchParams(values).toString()}&${'x=1&'.repeat(3000)}`;
  const ctx = await open(env, `site/${hash}`);
  const { page } = ctx;
  await allReady(page);
  const dom = await page.evaluate(() => ({
    injected: document.querySelectorAll('img, svg, iframe, object, embed').length,
    scripts: [...document.scripts].map((s) => s.getAttribute('src')),
    html: document.documentElement.outerHTML,
    polluted: ({}).polluted,
    lang: document.documentElement.lang,
    theme: document.documentElement.dataset.theme ?? 'auto',
  }));
  assert.equal(dom.injected, 0, 'no element from the URL');
  assert.deepEqual(dom.scripts, ['dist/site.js']);
  assert.doesNotMatch(dom.html, /<img|<svg|<script>alert/i, "nothing of the URL as markup");
  assert.equal(dom.polluted, undefined, 'no prototype pollution');
  assert.equal(dom.lang, 'en');
  assert.equal(dom.theme, 'auto');
  const field = (id, label) => page.locator(`.widget[data-widget="${id}"]`).locator('input:not([type="range"]), select').and(page.getByLabel(label, { exact: true })).inputValue();
  assert.equal(await field('embedding', 'Dimension d'), '32', 'NaN -> default');
  assert.equal(await field('embedding', 'Base b'), '1000000', '1e309 -> max');
  assert.equal(await field('sinusoidal', 'Length (positions)'), '2048', 'huge -> max');
  assert.equal(await field('sinusoidal', 'Dimension d'), '128', 'hex -> default');
  assert.equal(await field('sinusoidal', 'Layout'), 'vaswani');
  assert.equal(await field('rope', 'Head dimension d'), '8', 'odd, below min -> min');
  assert.equal(await field('rope', 'Position'), '1000000');
  assert.equal(await field('alibi', 'Heads n'), '64');
  assert.equal(await field('attention', 'Position method'), 'alibi');
  assert.equal(await field('attention', 'Heads'), '8');
  // Text settings are shown as text: the words of the sentence, the error of the config.
  assert.match(await page.textContent('.widget[data-widget="embedding"] .widget-status'), /computed/);
  const scalingError = await widgetError(page, 'scaling');
  assert.match(scalingError, /posenc\.analysis\.wavelengths: /, 'the package error, as text');
  assert.match(scalingError, /<img src=x onerror=alert\(1\)>/, 'the hostile value appears as text in the message');
  assert.equal(await widgetError(page, 'models'), `No model "${img}" in the gallery.`, 'an unknown model id, as text');
  assert.equal(await field('models', 'Plot'), 'wavelength');
  for (const id of IDS) {
    const error = await widgetError(page, id);
    if (id !== 'scaling' && id !== 'models' && !/has no pe\./.test(error)) assert.equal(error, '', `${id}: no error`);
  }
  // The hash is rewritten in canonical form: only known keys, valid values.
  const canonical = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  assert.equal(canonical.get('x'), null);
  assert.equal(canonical.get('rope.pos'), '1000000');
  assert.equal(canonical.get('lang'), null);
  assert.equal(canonical.get('shuffle.method'), null, 'an unknown choice falls back to the default (and leaves the URL)');
  assert.equal(canonical.get('embedding.sentence'), evil, 'free text stays text: kept in the URL, shown as words');
  assert.deepEqual(await page.locator('.widget[data-widget="shuffle"] .chip-word').allTextContents(), ['img', 'src', 'x', 'onerror', 'alert', '1']);
  await finish(ctx);
});

test('package errors are shown as text (the RoPE scaling config)', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=scaling');
  const { page } = ctx;
  await ready(page, 'scaling');
  const area = page.getByLabel("config.json (edit or paste a model's, then Apply)");
  await area.fill('{ "hidden_size": 4096, ');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.querySelector('.widget[data-widget="scaling"]').dataset.status === 'error');
  assert.match(await widgetError(page, 'scaling'), /This is not valid JSON:/);
  await area.fill('{ "head_dim": 128, "rope_scaling": { "rope_type": "<b>bold</b>", "factor": 2 } }');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => /rope_type/.test(document.querySelector('.widget[data-widget="scaling"] .widget-error').textContent));
  const message = await widgetError(page, 'scaling');
  assert.match(message, /^The package reported an error: posenc\.analysis\.wavelengths: config\.rope_scaling\.rope_type must be one of/);
  assert.match(message, /<b>bold<\/b>/);
  assert.equal(await page.evaluate(() => document.querySelectorAll('.widget b').length), 0);
  await hashHas(page, [['scaling.preset', 'custom']]);
  await area.fill('{ "head_dim": 128, "rope_theta": 10000, "rope_scaling": { "rope_type": "linear", "factor": 2 } }');
  await area.press('Control+Enter');
  await page.waitForFunction(() => document.querySelector('.widget[data-widget="scaling"]').dataset.status === 'ready');
  assert.match(await page.textContent('.widget[data-widget="scaling"] .note'), /rope_type linear, 64 pairs/);
  await finish(ctx);
});

test('the harness notices CSP violations (an inline script is blocked)', T, async () => {
  const { page } = await open(env, 'site/embed.html?w=alibi');
  await ready(page, 'alibi');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__ran = true';
    document.body.append(s);
  });
  await page.waitForFunction(() => window.__cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.__ran), undefined, 'the inline script did not run');
  await page.close();
});

test('keyboard: controls are labelled and operable; the URL follows', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=alibi');
  const { page } = ctx;
  await ready(page, 'alibi');
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')].filter((el) => {
    const name = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.textContent.trim();
    return !name;
  }).map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, []);
  await page.getByRole('slider', { name: 'Heads n' }).focus();
  await page.keyboard.press('ArrowRight');
  await hashHas(page, [['alibi.heads', '9']]);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowRight');
  await hashHas(page, [['alibi.head', '1']]);
  const causal = page.getByLabel('Causal (mask future keys)');
  await causal.focus();
  await page.keyboard.press('Space');
  await hashHas(page, [['alibi.causal', '0']]);
  await finish(ctx);
});

test('figures export as PNG and CSV', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=alibi#alibi.heads=4');
  const { page } = ctx;
  await ready(page, 'alibi');
  const fig = page.locator('[data-figure="alibi-slopes"]');
  const [png] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: /PNG/ }).click()]);
  assert.equal(png.suggestedFilename(), 'posenc-alibi-slopes.png');
  const pngBytes = await readFile(await png.path());
  assert.deepEqual([...pngBytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');
  const [csv] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: /CSV/ }).click()]);
  assert.equal(csv.suggestedFilename(), 'posenc-alibi-slopes.csv');
  const text = await readFile(await csv.path(), 'utf8');
  assert.equal(text, 'head,slope\r\n1,0.25\r\n2,0.0625\r\n3,0.015625\r\n4,0.00390625\r\n', 'slopes 2^(-8h/4), h = 1 … 4');
  await finish(ctx);
});

test('shuffle: equivariant without positions or mask; positions or the causal mask break it', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=shuffle');
  const { page } = ctx;
  await ready(page, 'shuffle');
  const error = () => page.evaluate(() => Number(document.querySelector('.widget[data-widget="shuffle"] .big-number').dataset.error));
  const w = page.locator('.widget[data-widget="shuffle"]');
  assert.ok(await error() < 1e-5, `no positions, no mask: same outputs (${await error()})`);
  let n = await draws(page, 'shuffle');
  await w.getByLabel('Causal mask').check();
  await drawsAbove(page, 'shuffle', n);
  assert.ok(await error() > 1e-3, `causal mask alone: outputs change (${await error()})`);
  n = await draws(page, 'shuffle');
  await w.getByLabel('Causal mask').uncheck();
  await w.getByLabel('Positions').selectOption('sinusoidal');
  await drawsAbove(page, 'shuffle', n + 1);
  assert.ok(await error() > 1e-3, `sinusoidal positions: outputs change (${await error()})`);
  // Reordering with the keyboard buttons and the shuffle button keeps the URL in step.
  await w.getByRole('button', { name: 'Original order' }).click();
  await page.waitForFunction(() => !new URLSearchParams(location.hash.slice(1)).has('shuffle.order') ||
    new URLSearchParams(location.hash.slice(1)).get('shuffle.order') === '');
  await w.getByRole('button', { name: 'Move “cat” right' }).click();
  await hashHas(page, [['shuffle.order', '0,2,1,3,4,5']]);
  await w.getByRole('button', { name: 'Shuffle' }).click();
  await page.waitForFunction(() => !['0,2,1,3,4,5', ''].includes(new URLSearchParams(location.hash.slice(1)).get('shuffle.order')));
  await finish(ctx);
});

test('RoPE: the score depends only on m - n; Play advances the rotation and Pause keeps the position', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=rope');
  const { page } = ctx;
  await ready(page, 'rope');
  const w = page.locator('.widget[data-widget="rope"]');
  const score = async () => Number((await w.locator('.big-number').textContent()).match(/= (-?[\d.]+)$/)[1]);
  const s0 = await score();
  for (const shift of ['1000', '4000']) {
    const field = w.locator('input[type="number"]').and(page.getByLabel('Shift both by s', { exact: true }));
    await field.fill(shift);
    await field.press('Enter');
    await hashHas(page, [['rope.shift', shift]]);
    assert.ok(Math.abs((await score()) - s0) < 1e-3, `same score after shifting both by ${shift}`);
  }
  assert.equal(await w.locator('.note').first().isVisible(), true, 'reduced motion: the animation waits for Play');
  const painted = () => page.evaluate(() => Number(document.querySelector('[data-figure="rope-rotation"]').dataset.painted));
  const before = await painted();
  await w.getByRole('button', { name: 'Play' }).click();
  await page.waitForFunction((n) => Number(document.querySelector('[data-figure="rope-rotation"]').dataset.painted) > n + 2, before);
  await w.getByRole('button', { name: 'Pause' }).click();
  await page.waitForFunction(() => Number(new URLSearchParams(location.hash.slice(1)).get('rope.pos')) > 12);
  await hashHas(page, [['rope.play', '0']]);
  await finish(ctx);
});

test('learned table: position maxPositions is the package\'s RangeError, shown as text', T, async (t) => {
  const ctx = await open(env, 'site/embed.html?w=learned');
  const { page } = ctx;
  await ready(page, 'learned');
  const missing = await widgetError(page, 'learned');
  if (/has no pe\.learned/.test(missing)) {
    t.skip('this build of the package has no pe.learned');
    await finish(ctx);
    return;
  }
  const limit = page.locator('.widget[data-widget="learned"] .limit-error');
  assert.match(await limit.textContent(), /^RangeError: posenc\.learned\.lookup: .*512/);
  await page.getByRole('button', { name: 'Ask for position 511' }).click();
  await hashHas(page, [['learned.pos', '511']]);
  assert.equal(await limit.isVisible(), false);
  await finish(ctx);
});
