// SPDX-License-Identifier: MIT
// The real-models widget (web/site/widgets/models.js), the gallery presets of the RoPE scaling
// widget and the article's table of models, in Debian's chromium under the strict CSP: the widget
// draws; every gallery model can be picked, changes the drawing and shows the package's numbers
// (method, context length, layers, ignored keys, and in its CSV the inverse frequencies per layer
// type as pe.rope.frequencies gives them); Llama 3.1's frequencies also equal an independent float64
// computation of Meta's rule; a bad pasted config gives the package's named error in English and
// Japanese, as text, under the config field; a link restores the view; the article's table lists
// every gallery model with its method.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { draws, drawsAbove, finish, hashHas, measureCanvases, open, ready, setUp, widgetError } from './harness.mjs';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

const T = { timeout: 60_000 };
const W = '.widget[data-widget="models"]';

/** What the package itself says about every gallery model (the reference for the page). */
function packageView(page, seqLen = 0) {
  return page.evaluate(async (seqLen) => {
    const { init } = await import('../package/index.js');
    const pe = await init();
    return pe.models.gallery.map((g) => {
      const d = pe.models.describe(g.config, seqLen ? { seqLen } : {});
      return {
        id: g.id, name: g.name, method: d.method, modelType: d.modelType, contextLength: d.contextLength,
        layers: d.layers, heads: d.heads, headDim: d.headDim, noRope: d.rope?.noRopeLayers ?? null,
        ignored: d.ignoredKeys.map((k) => k.key),
        // What the figures show: two models with the same numbers draw the same pixels.
        drawn: JSON.stringify([d.method, d.layers, d.layerTypes, d.rope ? d.contextLength : null, d.rope?.noRopeLayers,
          Object.entries(d.rope?.byLayerType ?? {}).map(([k, f]) => [k, f.ropeType, Array.from(f.invFreq)]),
          Array.from(d.alibi?.slopes ?? []), d.t5]),
        // Each layer type's frequencies asked of pe.rope.frequencies directly, not through describe.
        rope: d.rope ? Object.fromEntries(Object.keys(d.rope.byLayerType).map((type) => {
          const f = pe.rope.frequencies(g.config, { seqLen, layerType: type });
          return [type, { invFreq: Array.from(f.invFreq), ropeType: f.ropeType, attentionFactor: f.attentionFactor }];
        })) : null,
      };
    });
  }, seqLen);
}

/** The facts list of the widget as { label: text }. */
function facts(page) {
  return page.evaluate((sel) => {
    const out = {};
    const dl = document.querySelector(`${sel} .facts`);
    for (const dt of dl.querySelectorAll('dt')) out[dt.textContent] = dt.nextElementSibling.textContent;
    return out;
  }, W);
}

async function csvOf(page, figure) {
  const fig = page.locator(`[data-figure="${figure}"]`);
  const [file] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: /CSV/ }).click()]);
  const lines = (await readFile(await file.path(), 'utf8')).trim().split('\r\n');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

test('every gallery model: picked from the list, it redraws and shows the package\'s numbers', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=models');
  const { page } = ctx;
  await ready(page, 'models');
  assert.equal(await widgetError(page, 'models'), '', 'no error');
  const gallery = await packageView(page);
  assert.ok(gallery.length >= 5, `a gallery of real models (${gallery.length})`);
  assert.ok(new Set(gallery.map((g) => g.method)).size >= 3, `several methods among them (${[...new Set(gallery.map((g) => g.method))]})`);
  const select = page.locator(W).getByLabel('Model', { exact: true });
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, [...gallery.map((g) => g.id), 'custom'], 'one choice per gallery model, and a pasted config');

  let previous = null;
  for (const g of gallery) {
    const n = await draws(page, 'models');
    if (g !== gallery[0]) {
      await select.selectOption(g.id);
      await drawsAbove(page, 'models', n);
    }
    assert.equal(await widgetError(page, 'models'), '', `${g.id}: no error`);
    const figs = await measureCanvases(page, 'models');
    for (const f of figs) assert.ok(f.colours >= 8, `${g.id}/${f.name} has pixels (${f.colours} colours)`);
    const key = figs.map((f) => `${f.name}:${f.checksum}`).join();
    if (previous && previous.drawn !== g.drawn) assert.notEqual(key, previous.key, `${g.id}: the drawing changed`);
    previous = { key, drawn: g.drawn };
    const shown = await facts(page);
    const methodText = await page.locator(`${W} .facts dd strong`).textContent();
    const expectMethod = { rope: /RoPE/, alibi: /ALiBi/, learned: /learned/, t5: /T5/, sinusoidal: /sinusoidal/, none: /none/ }[g.method];
    assert.match(methodText, expectMethod, `${g.id}: method ${g.method}`);
    assert.equal(shown['Context length'], g.contextLength === null ? 'not in the config' : g.contextLength.toLocaleString('en'), `${g.id}: context`);
    const shape = [g.layers, g.heads, g.headDim].map((v) => (v === null ? 'not in the config' : v.toLocaleString('en'))).join(' · ');
    assert.equal(shown['Layers · heads · head dim'], shape, `${g.id}: shape`);
    const ignoredShown = await page.locator(`${W} .ignored code`).allTextContents();
    for (const k of g.ignored) assert.ok(ignoredShown.includes(k), `${g.id}: ignored key ${k} shown`);
    if (g.rope) {
      assert.equal(shown['Layers without RoPE'], g.noRope.length ? `${g.noRope.length}: ${g.noRope.join(', ')}` : 'none', `${g.id}: no-RoPE layers`);
      const { header, rows } = await csvOf(page, 'models-spectrum');
      for (const [type, f] of Object.entries(g.rope)) {
        const col = header.indexOf(`${type}_inv_freq`);
        assert.ok(col > 0, `${g.id}: a column for ${type}`);
        const got = rows.map((r) => r[col]).filter((v) => v !== '').map(Number);
        assert.deepEqual(got, f.invFreq, `${g.id}/${type}: the plotted frequencies are pe.rope.frequencies'`);
        assert.match(shown['RoPE per layer type'], new RegExp(`${type === 'default' ? 'every layer' : type}: rope_type ${f.ropeType},`), `${g.id}/${type}: rope_type`);
      }
    }
  }
  await finish(ctx);
});

test('Llama 3.1 8B: the plotted frequencies follow Meta\'s llama3 rule (independent float64)', T, async (t) => {
  const ctx = await open(env, 'site/embed.html?w=models');
  const { page } = ctx;
  await ready(page, 'models');
  const id = await page.evaluate(async () => {
    const { init } = await import('../package/index.js');
    const pe = await init();
    return pe.models.gallery.find((g) => g.config.rope_scaling?.rope_type === 'llama3' && g.config.rope_theta === 500000
      && g.config.hidden_size / g.config.num_attention_heads === 128)?.id ?? null;
  });
  if (!id) {
    t.skip('no Llama 3.x config in this gallery');
    await finish(ctx);
    return;
  }
  const n = await draws(page, 'models');
  await page.locator(W).getByLabel('Model', { exact: true }).selectOption(id);
  await drawsAbove(page, 'models', n);
  const { header, rows } = await csvOf(page, 'models-spectrum');
  const col = header.findIndex((h) => h.endsWith('_inv_freq'));
  const got = rows.map((r) => Number(r[col]));
  // Meta's apply_scaling (Llama 3.1): factor 8, low_freq_factor 1, high_freq_factor 4, original 8192.
  const expected = Array.from({ length: 64 }, (_, i) => {
    const f = 1 / 500000 ** ((2 * i) / 128);
    const wl = (2 * Math.PI) / f;
    if (wl < 8192 / 4) return f;
    if (wl > 8192 / 1) return f / 8;
    const smooth = (8192 / wl - 1) / (4 - 1);
    return (1 - smooth) * (f / 8) + smooth * f;
  });
  assert.equal(got.length, 64);
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(got[i] - expected[i]) <= 1e-12 * expected[i], `pair ${i}: ${got[i]} vs ${expected[i]}`);
  await finish(ctx);
});

// How the page shows the package's message: in English after its words; in Japanese, a sentence naming
// the key the package names, then the package's message in full.
for (const [lang, shown, jsonWords] of [
  ['en', (m) => `The package reported an error: ${m}`, 'This is not valid JSON:'],
  ['ja', (m) => `「rope_scaling.rope_type」の値が使えません。値を直してください。 (${m})`, '正しい JSON ではありません：'],
]) {
  test(`${lang}: a bad pasted config gives a named error as text under the field; ignored keys are listed`, T, async () => {
    const ctx = await open(env, `site/embed.html?w=models#lang=${lang}`);
    const { page } = ctx;
    await ready(page, 'models');
    const area = page.locator(`${W} textarea`);
    const apply = page.locator(W).getByRole('button', { name: lang === 'en' ? 'Apply' : '適用', exact: true });
    const errorState = () => page.waitForFunction((sel) => document.querySelector(sel).dataset.status === 'error', W);
    await area.fill('{ "model_type": "llama", ');
    await apply.click();
    await errorState();
    assert.ok((await widgetError(page, 'models')).startsWith(jsonWords), 'a JSON error in the page\'s language, not blamed on the package');
    // The error line sits with the config field it is about.
    assert.equal(await page.evaluate((sel) => !!document.querySelector(`${sel} .control-wide .widget-error`), W), true, 'under the field');

    const bad = { model_type: 'llama', hidden_size: 4096, num_attention_heads: 32, num_hidden_layers: 32, rope_theta: 500000,
      rope_scaling: { rope_type: '<b>llama9</b>', factor: 8 } };
    await area.fill(JSON.stringify(bad));
    await apply.click();
    await page.waitForFunction((sel) => /rope_type/.test(document.querySelector(`${sel} .widget-error`).textContent), W);
    const message = await widgetError(page, 'models');
    const expected = await page.evaluate(async (bad) => {
      const { init } = await import('../package/index.js');
      const pe = await init();
      try {
        pe.models.describe(bad);
        return null;
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    }, bad);
    assert.match(expected, /^(TypeError|RangeError): posenc\.[a-z.]+: .*rope_type/, 'the package names the key');
    assert.equal(message, shown(expected.replace(/^\w+: /, '')), 'the package\'s message, in full, after the page\'s words');
    assert.equal(await page.evaluate(() => document.querySelectorAll('.widget b').length), 0, 'shown as text, not HTML');
    await hashHas(page, [['models.model', 'custom']]);

    // A config with keys posenc does not use: every one listed with its reason.
    const odd = { model_type: 'llama', hidden_size: 2048, num_attention_heads: 16, num_hidden_layers: 4, max_position_embeddings: 4096,
      rope_theta: 10000, rope_scaling: { rope_type: 'linear', factor: 2 }, favourite_colour: 'teal', tie_word_embeddings: false };
    await area.fill(JSON.stringify(odd));
    const n = await draws(page, 'models');
    await area.press('Control+Enter');
    await drawsAbove(page, 'models', n);
    assert.equal(await widgetError(page, 'models'), '', 'a config with unused keys is read');
    const ignored = await page.evaluate(async (odd) => {
      const { init } = await import('../package/index.js');
      return (await init()).models.describe(odd).ignoredKeys;
    }, odd);
    const items = await page.locator(`${W} .ignored li`).allTextContents();
    assert.ok(items.length >= ignored.length, `every key the package reports is shown (${ignored.map((k) => k.key)})`);
    for (const k of ignored) assert.ok(items.includes(`${k.key} ${k.why}`), `${k.key} shown with its reason`);
    if (!ignored.length) assert.match((await facts(page))[lang === 'en' ? 'Keys not used' : '使わなかったキー'], /^(none|なし)/);
    await finish(ctx);
  });
}

test('a link restores the model, the plot and the pixels', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=models');
  const { page } = ctx;
  await ready(page, 'models');
  const ids = await page.locator(`${W} select`).first().locator('option').evaluateAll((os) => os.map((o) => o.value));
  const pick = ids[ids.length - 2];  // the last gallery model
  let n = await draws(page, 'models');
  await page.locator(W).getByLabel('Model', { exact: true }).selectOption(pick);
  await drawsAbove(page, 'models', n);
  n = await draws(page, 'models');
  await page.locator(W).getByLabel('Plot', { exact: true }).selectOption('frequency');
  await drawsAbove(page, 'models', n);
  await hashHas(page, [['models.model', pick], ['models.plot', 'frequency']]);
  const hash = await page.evaluate(() => location.hash);
  const pixels = (await measureCanvases(page, 'models')).map((f) => f.checksum);
  await finish(ctx);

  const again = await open(env, `site/embed.html?w=models${hash}`);
  await ready(again.page, 'models');
  assert.equal(await again.page.locator(W).getByLabel('Model', { exact: true }).inputValue(), pick);
  assert.equal(await again.page.locator(W).getByLabel('Plot', { exact: true }).inputValue(), 'frequency');
  assert.deepEqual((await measureCanvases(again.page, 'models')).map((f) => f.checksum), pixels, 'same pixels');
  await finish(again);
});

test('the article\'s table lists every gallery model and its method; the scaling widget offers the RoPE ones', T, async () => {
  const ctx = await open(env, 'site/');
  const { page } = ctx;
  await page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });
  const gallery = await packageView(page);
  const rows = await page.locator('#sec-models table[data-table="models"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    id: tr.dataset.model, method: tr.dataset.method, name: tr.querySelector('th button').textContent, modelType: tr.cells[1].textContent,
  })));
  assert.deepEqual(rows, gallery.map((g) => ({ id: g.id, method: g.method, name: g.name, modelType: g.modelType ?? '—' })));
  // A name in the table shows that model in the widget.
  const last = gallery[gallery.length - 1];
  await page.locator('#sec-models table[data-table="models"]').getByRole('button', { name: last.name, exact: true }).click();
  await hashHas(page, [['models.model', last.id]]);
  assert.equal(await page.locator(W).getByLabel('Model', { exact: true }).inputValue(), last.id);

  const scaling = page.locator('.widget[data-widget="scaling"]');
  const offered = await scaling.locator('optgroup option').evaluateAll((os) => os.map((o) => o.value).filter((v) => v.startsWith('model:')));
  assert.deepEqual(offered, gallery.filter((g) => g.method === 'rope').map((g) => `model:${g.id}`), 'every RoPE model of the gallery is a preset');
  const rope = gallery.find((g) => g.method === 'rope');
  const n = await draws(page, 'scaling');
  await scaling.getByLabel('Config', { exact: true }).selectOption(`model:${rope.id}`);
  await drawsAbove(page, 'scaling', n);
  await hashHas(page, [['scaling.preset', 'model'], ['scaling.model', rope.id]]);
  assert.equal(await widgetError(page, 'scaling'), '');
  const text = await scaling.locator('textarea').inputValue();
  const config = await page.evaluate(async (id) => {
    const { init } = await import('../package/index.js');
    return (await init()).models.gallery.find((g) => g.id === id).config;
  }, rope.id);
  assert.deepEqual(JSON.parse(text), config, 'the published config, as the package holds it');
  for (const f of await measureCanvases(page, 'scaling')) assert.ok(f.colours >= 8, `scaling/${f.name} drew`);
  // Every preset of a real model draws; a model with RoPE per layer type gets a layer type choice.
  for (const g of gallery.filter((m) => m.method === 'rope')) {
    const k = await draws(page, 'scaling');
    await scaling.getByLabel('Config', { exact: true }).selectOption(`model:${g.id}`);
    if (g.id !== rope.id) await drawsAbove(page, 'scaling', k);
    assert.equal(await widgetError(page, 'scaling'), '', `${g.id}: no error in the scaling widget`);
    const layer = scaling.getByLabel('Layer type', { exact: true });
    const several = Object.keys(g.rope).length > 1;
    assert.equal(await layer.isVisible(), several, `${g.id}: a layer type choice only when the RoPE differs by layer type`);
    if (several) assert.deepEqual(await layer.locator('option').evaluateAll((os) => os.map((o) => o.value)), Object.keys(g.rope));
  }
  await finish(ctx);
});
