// SPDX-License-Identifier: MIT
// axe-core on the article's shell (index.html: header, prose, navigation, footer; the widgets'
// insides are left to their own tests) in English and light, Japanese and dark, and on embed.html
// for every widget (its h1, description, landmarks and the widget inside it). The embed snippets
// on a second origin, with axe on the post and the frame, are in embed-second-origin.test.mjs.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { IDS, finish, open, setUp } from './harness.mjs';

const T = { timeout: 60_000 };
const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

/** axe-core's violations in `page` (evaluated, which the page's CSP does not block). */
async function axe(page, context = null) {
  await page.evaluate(AXE);
  const result = await page.evaluate((context) => window.axe.run(context ?? document, { resultTypes: ['violations'] }), context);
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

for (const [hash, scheme] of [['', 'light'], ['#lang=ja', 'dark']]) {
  test(`index.html${hash}, ${scheme}: axe-core finds nothing in the shell`, T, async () => {
    const ctx = await open(env, `site/${hash}`, { setup: (page) => page.emulateMedia({ colorScheme: scheme }) });
    await ctx.page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });
    assert.deepEqual(await axe(ctx.page, { exclude: [['.widget']] }), []);
    await finish(ctx);
  });
}

test('embed.html: one h1 naming the widget, a description, and axe-core finds nothing, for every widget', { timeout: 150_000 }, async () => {
  for (const id of IDS) {
    const ctx = await open(env, `site/embed.html?w=${id}`);
    await ctx.page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });
    const head = await ctx.page.evaluate(() => ({
      h1: [...document.querySelectorAll('h1')].map((h) => h.textContent),
      h2: document.querySelector('.widget h2').textContent,
      title: document.title,
      description: document.querySelector('meta[name="description"]')?.content ?? '',
    }));
    assert.deepEqual(head.h1, [`posenc: ${head.h2}`], id);
    assert.equal(head.title, head.h1[0]);
    assert.ok(head.description.length > 50, id);
    assert.deepEqual(await axe(ctx.page), [], id);
    await finish(ctx);
  }
});
