// SPDX-License-Identifier: MIT
// The two embed snippets of every widget, pasted into a bare HTML page served from 127.0.0.1 under
// the strict CSP: the iframe (embed.html with the settings in its hash) and the custom element with
// dist/posenc-widgets.js. Both draw the widget in the settings it had when the snippet was copied,
// nothing logs an error or violates the CSP (in the page or the frame), and each route downloads
// only what its widget needs before it first draws: at most 150 KiB gzipped (the server gzips as
// static hosts do), except the two widgets that carry data of their own (models: the gallery's
// configs; extrapolation: the paper's tables and the training loop), whose limits are stated below.
// (A widget may load a secondary figure's module after it has drawn, e.g. the attention playground's
// diagram and cost figure: those requests start after the mark and are reported, not budgeted.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CSP, IDS, WEB, finish, measureCanvases, open, ready, setUp, widgetError } from './harness.mjs';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

const T = { timeout: 60_000 };
const META = CSP.replace(/; frame-ancestors [^;]*/, '');

// A non-default setting per widget, to check the snippets carry it.
const SETTING = {
  hero: ['method', 'rope'], embedding: ['dim', '24'], shuffle: ['causal', '1'], learned: ['preset', 'gpt2'], sinusoidal: ['dim', '64'], shaw: ['k', '5'],
  t5: ['buckets', '16'], rope: ['dim', '32'], scaling: ['preset', 'yarn'], alibi: ['heads', '12'], models: ['model', 'gpt2'], attention: ['method', 'rope'],
  extrapolation: ['steps', '600'],
};

// Bytes on the wire (gzipped bodies) for one widget, by either route.
const LIMIT = { models: 156_000, extrapolation: 164_000 };
const limit = (id) => LIMIT[id] ?? 150 * 1024;

/**
 * The resources a page (or frame) loaded: path, gzipped body size, and whether the request started
 * before the performance mark `mark` (the widget's first draw); the document included.
 */
const loaded = (scope, mark) => scope.evaluate((mark) => {
  const drawn = performance.getEntriesByName(mark)[0]?.startTime ?? Infinity;
  return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
    .map((r) => ({ path: new URL(r.name).pathname, bytes: r.encodedBodySize, first: r.startTime <= drawn }));
}, mark);
const firstBytes = (resources) => resources.filter((r) => r.first).reduce((n, r) => n + r.bytes, 0);
const allBytes = (resources) => resources.reduce((n, r) => n + r.bytes, 0);

const bare = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${META}">
<title>${title}</title>
<link rel="icon" href="/site/favicon.svg" type="image/svg+xml"></head>
<body>
<p>A blog post with a posenc widget:</p>
${body}
</body></html>
`;

test('the bundles load each widget\'s code on demand and fetch the SIMD .wasm beside them; no eval, no inlined .wasm', T, async () => {
  const dist = join(WEB, 'site/dist');
  const scripts = (await readdir(dist)).filter((f) => f.endsWith('.js'));
  const texts = Object.fromEntries(await Promise.all(scripts.map(async (f) => [f, await readFile(join(dist, f), 'utf8')])));
  for (const [file, text] of Object.entries(texts)) {
    // "\0asm" in base64: no WebAssembly inlined anywhere.
    assert.doesNotMatch(text, /AGFzbQEAAAA/, `${file}: no inlined .wasm`);
    assert.doesNotMatch(text, /\beval\(|new Function\(/, `${file}: no eval`);
  }
  // One dynamic import per widget, each a chunk of its own; the entry is small.
  const lazy = new Set(Object.values(texts).flatMap((text) => [...text.matchAll(/import\("\.\/([\w-]+\.js)"\)/g)].map((m) => m[1])));
  const stem = { embedding: 'embedding-sum', scaling: 'rope-scaling' };
  for (const id of IDS) assert.ok([...lazy].some((f) => f.startsWith(`${stem[id] ?? id}-`)), `${id}: a chunk of its own, imported on demand (${[...lazy].join(', ')})`);
  for (const chunk of lazy) assert.ok(scripts.includes(chunk), chunk);
  assert.ok(texts['posenc-widgets.js'].length < 40_000, `entry: ${texts['posenc-widgets.js'].length} bytes`);
  for (const build of ['simd', 'base']) {
    const res = await fetch(`${env.server.url}site/dist/posenc_${build}.wasm`);
    assert.equal(res.headers.get('content-type'), 'application/wasm');
    assert.ok(WebAssembly.validate(new Uint8Array(await res.arrayBuffer())), `posenc_${build}.wasm`);
  }
});

for (const id of IDS) {
  test(`${id}: the iframe and custom-element snippets work in a bare page under the strict CSP`, T, async (t) => {
    const [key, value] = SETTING[id];
    const src = await open(env, `site/embed.html?w=${id}#${id}.${key}=${value}&lang=ja`);
    await ready(src.page, id);
    if (/パッケージには pe\.|has no pe\./.test(await widgetError(src.page, id))) {
      t.skip('this build of the package lacks the method');
      await finish(src);
      return;
    }
    await src.page.locator(`.widget[data-widget="${id}"]`).getByRole('button', { name: '埋め込みコード', exact: true }).click();
    const iframe = await src.page.textContent('[data-snippet="iframe"]');
    const element = await src.page.textContent('[data-snippet="element"]');
    await finish(src);
    assert.match(iframe, new RegExp(`^<iframe src="http://127\\.0\\.0\\.1:\\d+/site/embed\\.html\\?w=${id}#lang=ja&amp;${id}\\.${key}=${value}"[^>]* data-posenc-embed="${id}"></iframe>\\n<script src="http://127\\.0\\.0\\.1:\\d+/site/embed\\.js" async></script>$`));
    assert.match(element, new RegExp(`^<posenc-${id} lang="ja" ${key}="${value}"><a href="http://127\\.0\\.0\\.1:\\d+/site/embed\\.html\\?w=${id}#lang=ja&amp;${id}\\.${key}=${value}">[^<]+: posenc のサイトで開く</a></posenc-${id}>\\n<script type="module" src="http://127\\.0\\.0\\.1:\\d+/site/dist/posenc-widgets\\.js"></script>$`));

    // The iframe.
    const a = await open(env, await env.page(`${id}-iframe.html`, bare(`${id} iframe`, iframe)));
    // loading="lazy": the frame may start after the page's load event.
    let frame = null;
    for (let i = 0; i < 100 && !frame; i++) {
      frame = a.page.frames().find((f) => f.url().includes('embed.html')) ?? null;
      if (!frame) await a.page.waitForTimeout(100);
    }
    assert.ok(frame, 'the frame loaded');
    await frame.waitForLoadState('load');
    await ready(frame, id);
    assert.equal(await widgetError(frame, id), '');
    const viaFrame = await loaded(frame, 'posenc:first-widget');
    const frameBytes = firstBytes(viaFrame);
    assert.ok(frameBytes <= limit(id), `iframe route: ${frameBytes} bytes gzipped before the first draw > ${limit(id)}: ${JSON.stringify(viaFrame)}`);
    assert.ok(viaFrame.some((r) => r.path === '/site/dist/posenc_simd.wasm') && !viaFrame.some((r) => r.path.endsWith('posenc_base.wasm')), 'the SIMD build only');
    for (const f of await measureCanvases(frame, id)) assert.ok(f.colours >= 8, `iframe: ${f.name} drew`);
    assert.equal(await frame.evaluate(() => document.documentElement.lang), 'ja');
    await finish(a);

    // The custom element.
    const b = await open(env, await env.page(`${id}-element.html`, bare(`${id} element`, element)));
    await b.page.waitForFunction((id) => document.querySelector(`posenc-${id}`)?.dataset.ready === 'true', id, { timeout: 15_000 });
    const host = `posenc-${id}`;
    const status = await b.page.evaluate(([host, id]) => {
      const w = document.querySelector(host).shadowRoot.querySelector(`.widget[data-widget="${id}"]`);
      return { status: w.dataset.status, drawn: w.dataset.drawn, title: w.querySelector('h2').textContent, error: w.querySelector('.widget-error').textContent };
    }, [host, id]);
    assert.equal(status.status, 'ready', status.error);
    assert.equal(status.drawn, `${key}=${value}`, 'the attribute is the setting');
    assert.match(status.title, /[ぁ-んァ-ン一-龯]/, 'lang="ja" gives Japanese text');
    for (const f of await measureCanvases(b.page, id, host)) assert.ok(f.colours >= 8, `element: ${f.name} drew (${f.colours})`);
    // The page's own styles are untouched; the widget's live in its shadow root.
    assert.equal(await b.page.evaluate(() => document.styleSheets.length), 0);
    const viaElement = (await loaded(b.page, `posenc:element-ready:posenc-${id}`)).filter((r) => !r.path.endsWith(`${id}-element.html`));
    assert.ok(viaElement.every((r) => /^\/site\/(dist|data)\//.test(r.path)), `only the bundle's folder and the site's data: ${viaElement.map((r) => r.path)}`);
    assert.ok(viaElement.some((r) => r.path === '/site/dist/posenc_simd.wasm') && !viaElement.some((r) => r.path.endsWith('posenc_base.wasm')), 'the SIMD build only');
    const elementBytes = firstBytes(viaElement);
    assert.ok(elementBytes <= limit(id), `custom element: ${elementBytes} bytes gzipped before the first draw > ${limit(id)}`);
    t.diagnostic(`${id}: before the first draw ${frameBytes} bytes gzipped by the iframe route, ${elementBytes} by the custom element; ` +
      `${allBytes(viaFrame)} and ${allBytes(viaElement)} in all`);
    await finish(b);
  });
}

test('a custom element follows its attributes after load (settings, theme, language)', T, async () => {
  const url = await env.page('attributes.html', bare('attributes', '<posenc-alibi heads="4"></posenc-alibi>\n<script type="module" src="/site/dist/posenc-widgets.js"></script>'));
  const ctx = await open(env, url);
  const { page } = ctx;
  await page.waitForFunction(() => document.querySelector('posenc-alibi')?.dataset.ready === 'true');
  const drawn = () => page.evaluate(() => document.querySelector('posenc-alibi').shadowRoot.querySelector('.widget').dataset.drawn);
  assert.equal(await drawn(), 'heads=4');
  await page.evaluate(() => document.querySelector('posenc-alibi').setAttribute('heads', '<b>6</b>'));
  assert.equal(await drawn(), '', 'a hostile attribute falls back to the default');
  await page.evaluate(() => document.querySelector('posenc-alibi').setAttribute('heads', '6'));
  assert.equal(await drawn(), 'heads=6');
  await page.evaluate(() => document.querySelector('posenc-alibi').setAttribute('theme', 'dark'));
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector('posenc-alibi').shadowRoot.querySelector('.widget')).backgroundColor);
  assert.equal(bg, 'rgb(23, 27, 33)');
  await page.evaluate(() => document.querySelector('posenc-alibi').setAttribute('lang', 'ja'));
  await page.waitForFunction(() => /ALiBi：/.test(document.querySelector('posenc-alibi').shadowRoot.querySelector('h2')?.textContent));
  // A control inside the element changes only the element (the host page's URL is left alone).
  await page.evaluate(() => {
    const range = document.querySelector('posenc-alibi').shadowRoot.querySelector('input[type="range"]');
    range.value = '10';
    range.dispatchEvent(new Event('input', { bubbles: true }));
  });
  assert.equal(await drawn(), 'heads=10');
  assert.equal(await page.evaluate(() => location.hash), '');
  await finish(ctx);
});
