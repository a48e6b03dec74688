// SPDX-License-Identifier: MIT
// The embed snippets as a blog author uses them: copied from the site, pasted into a post served
// from a second origin (another port of 127.0.0.1) whose own Content-Security-Policy is
// `script-src 'self' 'wasm-unsafe-eval'` plus `frame-src <site>`. Under that policy the blog serves
// embed.js and the dist/ folder itself (as web/site/README.md says); a second page
// loads them from the site across origins (CORS), as a blog that allows the site's origin does.
// The site is cross-origin isolated (COOP + COEP); the blogs are not, except one whose post loads
// the snippets as copied under its own COOP + COEP (the site's files pass its require-corp).
// At 375 and 1280 px, in English and Japanese, light and dark: the iframe takes its content's height
// (no inner scroll), both widgets draw, the custom element takes the page's language and colour
// scheme, nothing logs an error or violates a CSP, and axe-core finds nothing on the post and on
// embed.html. Then every control of both, reached by the keyboard alone.
import assert from 'node:assert/strict';
import { readFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';
import { ARTIFACTS, WEB, finish, measureCanvases, open, ready, setUp } from './harness.mjs';

const T = { timeout: 60_000 };
const ID = 'rope';
const DARK_SURFACE = 'rgb(23, 27, 33)';
const LIGHT_SURFACE = 'rgb(255, 255, 255)';
const JAPANESE = /[ぁ-んァ-ン一-龯]/;
const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let env;
let blog;
let blogRoot;
let site;
const snippet = {};

const strictCsp = (scriptSrc) => `default-src 'self'; script-src ${scriptSrc} 'wasm-unsafe-eval'; connect-src ${scriptSrc}; style-src 'self'; ` +
  `img-src 'self' data: blob:; frame-src ${site}; object-src 'none'; base-uri 'none'`;

before(async () => {
  env = await setUp();
  site = env.server.url.replace(/\/$/, '');
  // The blog: its own server (second origin) and its own copies of the two scripts.
  blogRoot = await mkdtemp(join(tmpdir(), 'posenc-blog-'));
  await mkdir(join(blogRoot, 'vendor'));
  for (const file of ['embed.js', 'dist']) await symlink(join(WEB, 'site', file), join(blogRoot, 'vendor', file));
  await symlink(join(WEB, 'site', 'favicon.svg'), join(blogRoot, 'favicon.svg'));
  await mkdir(join(blogRoot, 'strict'));
  await mkdir(join(blogRoot, 'cors'));
  await mkdir(join(blogRoot, 'isolated'));
  // The blogs send no COOP/COEP (as most do), so they are not cross-origin isolated, while the site
  // is; the last one is isolated too, and needs the site's files to pass its require-corp.
  blog = {
    strict: await startServer({ port: 0, root: blogRoot, csp: strictCsp("'self'"), isolated: false }),
    cors: await startServer({ port: 0, root: blogRoot, csp: strictCsp(`'self' ${site}`), isolated: false }),
    isolated: await startServer({ port: 0, root: blogRoot, csp: strictCsp(`'self' ${site}`) }),
  };
  // The snippets as the site gives them (the Embed button of embed.html), in each language.
  for (const lang of ['en', 'ja']) {
    const ctx = await open(env, `site/embed.html?w=${ID}#lang=${lang}&${ID}.pos=40`);
    await ready(ctx.page, ID);
    await ctx.page.locator('.widget-foot button').click();
    snippet[lang] = {
      iframe: await ctx.page.textContent('[data-snippet="iframe"]'),
      element: await ctx.page.textContent('[data-snippet="element"]'),
    };
    await finish(ctx);
  }
});
after(async () => {
  await env?.close();
  await blog?.strict.close();
  await blog?.cors.close();
  await blog?.isolated.close();
  if (blogRoot) await rm(blogRoot, { recursive: true, force: true });
});

/** A blog post holding both snippets; `local` rewrites the script URLs to the blog's own copies. */
async function post(name, { lang, kind, local }) {
  const own = (text) => (local ? text.replace(/<script ([^>]*)src="[^"]*\/site\/([\w./-]+\.js)"/g, '<script $1src="/vendor/$2"') : text);
  // The iframe comes from the site in the post's language; the custom element is pasted as copied
  // from the English site (no lang attribute), so that its language is the page's.
  const html = `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>A post about rotary embeddings</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
<body><main>
<h1>A post about rotary embeddings</h1>
<p>${lang === 'ja' ? '回転位置埋め込みの図（iframe）：' : 'The figure as an iframe:'}</p>
${own(snippet[lang].iframe)}
<p>${lang === 'ja' ? '同じ図をカスタム要素で：' : 'The same figure as a custom element:'}</p>
${own(snippet.en.element)}
</main></body></html>
`;
  await writeFile(join(blogRoot, kind, name), html);
  return `${blog[kind].url}${kind}/${name}`;
}

async function frameOf(page) {
  const handle = await page.waitForSelector('iframe[data-posenc-embed]');
  let frame = null;
  for (let i = 0; i < 100 && !frame?.url().includes('embed.html'); i++) {
    frame = await handle.contentFrame();
    if (!frame?.url().includes('embed.html')) await page.waitForTimeout(100);
  }
  assert.ok(frame?.url().startsWith(`${site}/site/embed.html`), 'the frame loaded from the site');
  await frame.waitForLoadState('load');
  return frame;
}

/** axe-core in `scope` (a page or a frame; evaluated, which the page's CSP does not block). */
async function axe(scope) {
  await scope.evaluate(AXE);
  const result = await scope.evaluate(() => window.axe.run(document, { iframes: false, resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

const surface = (scope, host = null) => scope.evaluate((host) => {
  const root = host ? document.querySelector(host).shadowRoot : document;
  return getComputedStyle(root.querySelector('.widget')).backgroundColor;
}, host);

for (const width of [375, 1280]) {
  for (const lang of ['en', 'ja']) {
    for (const scheme of ['light', 'dark']) {
      test(`second origin, strict CSP, ${width} px, ${lang}, ${scheme}: both snippets fit, draw, follow the page and pass axe`, T, async () => {
        const url = await post(`${width}-${lang}-${scheme}.html`, { lang, kind: 'strict', local: true });
        const ctx = await open(env, url, {
          setup: async (page) => {
            await page.setViewportSize({ width, height: 900 });
            await page.emulateMedia({ colorScheme: scheme });
          },
        });
        const { page } = ctx;

        // The iframe: drawn, and as tall as its page (no scroll inside it).
        const frame = await frameOf(page);
        await ready(frame, ID);
        await frame.waitForFunction(() => {
          const doc = document.documentElement;
          return Math.abs(innerHeight - doc.getBoundingClientRect().height) <= 1 && doc.scrollHeight <= innerHeight;
        }, null, { timeout: 15_000 });
        const fit = await frame.evaluate(() => ({
          inner: [innerWidth, innerHeight],
          scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
        }));
        assert.ok(fit.scroll[0] <= fit.inner[0], `no horizontal scroll in the frame: ${JSON.stringify(fit)}`);
        assert.ok(fit.inner[1] > 900, `the frame grew past its snippet's height: ${fit.inner[1]} px`);
        for (const f of await measureCanvases(frame, ID)) assert.ok(f.colours >= 8, `iframe: ${f.name} drew (${f.colours} colours)`);
        assert.equal(await frame.evaluate(() => document.documentElement.lang), lang);
        const embedLines = await frame.evaluate(() => {
          const range = document.createRange();
          range.selectNodeContents(document.querySelector('.widget-foot button'));
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        });
        assert.equal(embedLines, 1, 'the Embed button\'s label fits on one line');
        assert.equal(await surface(frame), scheme === 'dark' ? DARK_SURFACE : LIGHT_SURFACE, 'the frame follows the colour scheme');

        // The custom element: drawn, in the page's language and colour scheme.
        const host = `posenc-${ID}`;
        await page.waitForFunction((host) => document.querySelector(host)?.dataset.ready === 'true', host, { timeout: 15_000 });
        for (const f of await measureCanvases(page, ID, host)) assert.ok(f.colours >= 8, `element: ${f.name} drew (${f.colours} colours)`);
        const title = await page.evaluate((host) => document.querySelector(host).shadowRoot.querySelector('h2').textContent, host);
        if (lang === 'ja') assert.match(title, JAPANESE, 'the element takes <html lang="ja">');
        else assert.doesNotMatch(title, JAPANESE);
        assert.equal(await surface(page, host), scheme === 'dark' ? DARK_SURFACE : LIGHT_SURFACE, 'the element follows the page\'s colour scheme');
        const page0 = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
        assert.ok(page0[0] <= page0[1], `the post does not scroll sideways: ${page0}`);

        await page.screenshot({ path: join(ARTIFACTS, `second-origin-${width}-${lang}-${scheme}.png`), fullPage: true });
        assert.deepEqual(await axe(page), [], 'axe-core on the post (the custom element included)');
        assert.deepEqual(await axe(frame), [], 'axe-core on embed.html');
        await finish(ctx);
      });
    }
  }
}

test('second origin, scripts from the site (CORS): the snippets exactly as copied work', T, async () => {
  const url = await post('cors.html', { lang: 'en', kind: 'cors', local: false });
  const ctx = await open(env, url);
  const { page } = ctx;
  for (const file of ['posenc-widgets.js', 'posenc_simd.wasm']) {
    const res = await page.request.get(`${site}/site/dist/${file}`);
    assert.equal(res.headers()['access-control-allow-origin'], '*', file);
  }
  const frame = await frameOf(page);
  await ready(frame, ID);
  await frame.waitForFunction(() => document.documentElement.scrollHeight <= innerHeight && innerHeight > 900, null, { timeout: 15_000 });
  await page.waitForFunction(() => document.querySelector('posenc-rope')?.dataset.ready === 'true', null, { timeout: 15_000 });
  for (const f of await measureCanvases(page, ID, 'posenc-rope')) assert.ok(f.colours >= 8, `element: ${f.name} drew`);
  // embed.html is sent with COOP and COEP (require-corp): in the frame of a page that is not
  // isolated it loads and draws, without isolation.
  const res = await page.request.get(`${site}/site/embed.html`);
  assert.equal(res.headers()['cross-origin-embedder-policy'], 'require-corp');
  assert.deepEqual([await page.evaluate(() => crossOriginIsolated), await frame.evaluate(() => crossOriginIsolated)], [false, false]);
  await finish(ctx);
});

test('second origin, cross-origin isolated blog (COOP + COEP): the snippets as copied work', T, async () => {
  const url = await post('isolated.html', { lang: 'en', kind: 'isolated', local: false });
  const ctx = await open(env, url);
  const { page } = ctx;
  const frame = await frameOf(page);
  await ready(frame, ID);
  for (const f of await measureCanvases(frame, ID)) assert.ok(f.colours >= 8, `iframe: ${f.name} drew`);
  await page.waitForFunction(() => document.querySelector('posenc-rope')?.dataset.ready === 'true', null, { timeout: 15_000 });
  for (const f of await measureCanvases(page, ID, 'posenc-rope')) assert.ok(f.colours >= 8, `element: ${f.name} drew`);
  // The post is isolated; the frame, from another origin, is not (that takes allow="cross-origin-isolated"
  // on the iframe, which the snippet does not ask for: nothing of the site needs it).
  assert.deepEqual([await page.evaluate(() => crossOriginIsolated), await frame.evaluate(() => crossOriginIsolated)], [true, false]);
  await finish(ctx);
});

test('second origin: where the bundle cannot load, the custom element shows its link to the site', T, async () => {
  // The CORS snippet under the strict policy: the browser refuses the script, the link stays.
  const url = await post('blocked.html', { lang: 'en', kind: 'strict', local: false });
  const ctx = await open(env, url);
  const link = ctx.page.locator('posenc-rope a');
  await link.waitFor({ state: 'visible' });
  assert.match(await link.getAttribute('href'), new RegExp(`^${site}/site/embed\\.html\\?w=rope#`));
  assert.match(await link.textContent(), /posenc site/);
  assert.equal(await ctx.page.evaluate(() => customElements.get('posenc-rope')), undefined);
  const violations = await ctx.page.evaluate(() => window.__cspViolations);
  assert.ok(violations.some((v) => v.includes('posenc-widgets.js')), violations.join('; '));
  await ctx.page.close();
});

test('keyboard only: Tab reaches every control of the iframe and of the custom element, each with a visible focus ring', T, async () => {
  const url = await post('keyboard.html', { lang: 'en', kind: 'strict', local: true });
  const ctx = await open(env, url, { setup: (page) => page.setViewportSize({ width: 1280, height: 900 }) });
  const { page } = ctx;
  const frame = await frameOf(page);
  await ready(frame, ID);
  await page.waitForFunction(() => document.querySelector('posenc-rope')?.dataset.ready === 'true', null, { timeout: 15_000 });
  // Number every control (radio groups count once: Tab enters a group, arrows move inside it).
  const mark = (prefix) => {
    const root = prefix === 'e' ? document.querySelector('posenc-rope').shadowRoot : document;
    const groups = new Map();
    let n = 0;
    for (const el of root.querySelectorAll('.widget :is(button, input, select, textarea, a[href], [tabindex="0"])')) {
      if (el.disabled || el.closest('[hidden]') || el.getClientRects().length === 0) continue;
      const id = (el.type === 'radio' ? groups.get(el.name) : null) ?? `${prefix}${n++}`;
      if (el.type === 'radio') groups.set(el.name, id);
      el.dataset.kb = id;
    }
    return [...new Set([...root.querySelectorAll('[data-kb]')].map((el) => el.dataset.kb))];
  };
  const wanted = [...(await frame.evaluate(mark, 'f')), ...(await page.evaluate(mark, 'e'))];
  assert.ok(wanted.length >= 10, `controls found: ${wanted.length}`);
  const reached = new Set();
  const unringed = [];
  const focused = () => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return { tag: el.tagName, kb: el.dataset.kb ?? null, ring };
  };
  for (let i = 0; i < 120 && reached.size < wanted.length; i++) {
    await page.keyboard.press('Tab');
    let at = await page.evaluate(focused);
    if (at?.tag === 'IFRAME') at = await frame.evaluate(focused);
    if (at?.kb) {
      reached.add(at.kb);
      if (!at.ring) unringed.push(at.kb);
    }
  }
  assert.deepEqual(wanted.filter((k) => !reached.has(k)), [], 'controls Tab never reached');
  assert.deepEqual(unringed, [], 'controls focused without a visible ring');
  await finish(ctx);
});
