// SPDX-License-Identifier: MIT
// The live train-short-test-long widget (web/site/widgets/extrapolation.js) in Debian's chromium under
// the strict CSP: tiny runs (a few steps, short evaluations, set through the URL) show progress,
// fill the results table and draw the plot; Cancel terminates every worker at once and Start works
// again; settings come back from the URL and hostile values are neutralised; a dropped text file is
// read locally and trained on; the custom element trains on the main thread without any worker
// and gets the same numbers as the workers. Screenshots of a finished run go to test-artifacts/.
//
// Before any run, the widget shows the reference run (web/site/data/reference-run.json): its curves
// draw, its table shows the file's numbers, and the file equals a fresh run of the native command at
// the same settings (scripts/reference-run.mjs; about 15 s). The NTK-aware and YaRN rows of a run
// equal pe.lm evaluate calls made here.
//
// POSENC_LM_FULL=1 also runs the default comparison (4 methods, 400 steps, RoPE + PI, NTK-aware and
// YaRN) once on the article page and writes its time and table to
// test-artifacts/extrapolation-default.json (9 s on two idle cores, 27 s at a load average of 8; not in CI).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, CSP, finish, hashHas, measureCanvases, open, ready, runState, setUp } from './harness.mjs';
import { REFERENCE_FILE, referenceRun } from '../../scripts/reference-run.mjs';

let env;
before(async () => {
  env = await setUp();
  await mkdir(ARTIFACTS, { recursive: true });
});
after(async () => { await env?.close(); });

const T = { timeout: 90_000 };
const ID = 'extrapolation';
const W = `.widget[data-widget="${ID}"]`;
const META = CSP.replace(/; frame-ancestors [^;]*/, '');
// Only RoPE and the learned table (every kind of row: numbers, PI / NTK-aware / YaRN at evaluation, PI
// fine-tuned, "cannot").
const TINY = 'extrapolation.steps=40&extrapolation.scored=1024&extrapolation.sinusoidal=0&extrapolation.alibi=0' +
  '&extrapolation.pift=1';
const SCALED = ['pi', 'ntk', 'yarn'];
let workerRope = null;  // the RoPE rows of the worker run, to compare with the main-thread run

const bare = (body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${META}">
<link rel="icon" href="data:,"><title>extrapolation element</title></head>
<body>${body}</body></html>
`;

/** The results table as { row: [cell texts] }. */
function table(scope, host = null) {
  return scope.evaluate(([host, W]) => {
    const root = host ? document.querySelector(host).shadowRoot : document;
    return Object.fromEntries([...root.querySelectorAll(`${W} .lm-results tbody tr`)]
      .map((tr) => [tr.dataset.row, [...tr.querySelectorAll('td')].map((td) => td.textContent)]));
  }, [host, W]);
}

async function waitRun(page, states, host = null, timeout = 60_000) {
  await page.waitForFunction(([host, W, states]) => {
    const root = host ? document.querySelector(host).shadowRoot : document;
    return states.includes(root.querySelector(W)?.dataset.run);
  }, [host, W, states], { timeout, polling: 100 });
}

/** Wait until no dedicated worker is left (Playwright's view of the page). */
async function noWorkers(page) {
  for (let i = 0; i < 50 && page.workers().length; i++) await page.waitForTimeout(100);
  return page.workers().length;
}

test('before Start: the reference run draws, its table holds the file\'s numbers, its command is shown; the paper cells are filled', T, async () => {
  const ref = JSON.parse(await readFile(REFERENCE_FILE, 'utf8'));
  const ctx = await open(env, `site/embed.html?w=${ID}`);
  const { page } = ctx;
  await ready(page, ID);
  await page.waitForFunction((W) => document.querySelector(W).dataset.reference === 'ready', W);
  assert.deepEqual(await runState(page), { run: 'idle', workers: 0, ms: 0 });
  assert.equal(await page.evaluate((W) => document.querySelector(W).dataset.shown, W), 'reference');
  // Every chart of the widget has curves (not only axes) before any run.
  const figs = await measureCanvases(page, ID);
  assert.deepEqual(figs.map((f) => f.name).sort(), ['extrapolation-loss', 'extrapolation-perplexity']);
  for (const f of figs) assert.ok(f.colours >= 16, `${f.name}: curves drawn (${f.colours} colours)`);
  // The table is the file's, row by row, to two decimals ("cannot" where the native command wrote null).
  const rows = await table(page);
  assert.deepEqual(Object.keys(rows), ['sinusoidal', 'rope', 'pi', 'ntk', 'yarn', 'alibi', 'learned']);
  for (const r of ref.rows) {
    const expected = r.perplexity[1] === null ? [r.perplexity[0].toFixed(2), 'cannot read past its table (64 rows)']
      : r.perplexity.map((p) => p.toFixed(2));
    assert.deepEqual(rows[r.key].slice(0, expected.length), expected, r.key);
  }
  assert.equal(await page.locator(`${W} .lm-results.lm-reference`).count(), 1, 'marked as the reference');
  assert.equal(await page.locator(`${W} .lm-reference-note code`).textContent(), ref.command);
  assert.match(ref.command, /^build\/native\/examples\/cpp\/extrapolation --steps 400 --eval-tokens 8192 --seed 1 --methods sinusoidal,rope,alibi,learned /);
  // The reference is at the widget's defaults: the controls show the same settings.
  const w = page.locator(W);
  assert.equal(await w.getByLabel('Training steps per model', { exact: true }).inputValue(), String(ref.steps));
  assert.equal(await w.getByLabel('Tokens scored per length', { exact: true }).inputValue(), String(ref.scored));
  assert.match(await w.locator('.lm-plan').textContent(), /^4 models × 400 steps/);
  // Claim 11, from the file: the caption states what the numbers show.
  const at = (k, i) => ref.rows.find((r) => r.key === k).perplexity[i];
  const ntkBeatsPi = [1, 2, 3, 4].every((i) => at('ntk', i) < at('pi', i));
  assert.match(await w.locator('.lm-finding').textContent(), ntkBeatsPi ? /NTK-aware beats PI at every longer length/ : /does not beat/);
  // The paper panel: no blank cell; ALiBi's unchecked values say where they are.
  const paper = await w.locator('.lm-compare table').first().locator('td').allTextContents();
  assert.equal(paper.length, 9);
  for (const cell of paper) assert.notEqual(cell.trim().replace('–', ''), '', 'a filled cell');
  assert.deepEqual(paper.slice(6), ['see Table 2', 'see Table 2', '≈ 18.3']);
  assert.match(await w.locator('.lm-paper-note').textContent(), /Table 2.*2108\.12409/);
  await finish(ctx);
});

test('the reference file equals a fresh run of the native command at the same settings', { timeout: 120_000 }, async () => {
  // Bit-identical on the same x86-64 build (SSE2 baseline, no FMA contraction); regenerate with
  // node scripts/reference-run.mjs after changing the model, the trainer or the defaults.
  const kept = JSON.parse(await readFile(REFERENCE_FILE, 'utf8'));
  const fresh = referenceRun();
  assert.deepEqual(kept.rows, fresh.rows);
  const { rows: _a, trainSeconds: _b, ...keptSettings } = kept;
  const { rows: _c, trainSeconds: _d, ...freshSettings } = fresh;
  assert.deepEqual(keptSettings, freshSettings);
});

test('a tiny run in workers: progress, the results table, the plot, CSV and PNG; no worker left', T, async () => {
  const ctx = await open(env, `site/embed.html?w=${ID}#${TINY}`);
  const { page } = ctx;
  await ready(page, ID);
  assert.deepEqual(await runState(page), { run: 'idle', workers: 0, ms: 0 });
  await page.waitForFunction((W) => document.querySelector(W).dataset.reference === 'ready', W);
  const before = await measureCanvases(page, ID);
  assert.equal(before.length, 2, 'loss and perplexity figures');
  for (const f of before) assert.ok(f.colours >= 16, `${f.name}: the reference curves drawn before any run (${f.colours} colours)`);

  await page.locator(W).getByRole('button', { name: 'Start' }).click();
  // Progress: the bars move and the loss appears, two workers at a time.
  await page.waitForFunction((W) => [...document.querySelectorAll(`${W} .lm-job`)].every((li) => li.querySelector('progress').value > 0), W);
  assert.match(await page.locator(`${W} [data-job="rope"] .lm-job-text`).textContent(), /^(step \d+ \/ 40 · loss \d\.\d{3}|evaluating|PI fine-tune|\d+\.\d s · )/);
  assert.equal(await page.locator(W).getByRole('button', { name: 'Cancel' }).isEnabled(), true);
  assert.equal(await page.locator(W).getByRole('button', { name: 'Start' }).isEnabled(), false);
  await waitRun(page, ['done', 'error', 'cancelled']);
  const state = await runState(page);
  assert.equal(state.run, 'done');
  assert.equal(state.workers, 0, 'the widget counts no live worker');
  assert.equal(await noWorkers(page), 0, 'every worker is gone');
  // Two models, two threads at once (one worker each); the page (served with COOP and COEP) is isolated.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.match(await page.locator(`${W} .lm-run`).textContent(), new RegExp('^Done in \\d+\\.\\d s\\. The numbers below are this run\'s\\. ' +
    `${Math.min(2, cores)} threads? ran at once, one Web Worker per model\\.` +
    `${cores > 2 ? ` ${cores - 2} of this device's ${cores} cores stayed idle: each model trains on one thread\\.` : ''}` +
    ' The page is cross-origin isolated \\(shared memory available\\)\\.$'));

  const rows = await table(page);
  assert.deepEqual(Object.keys(rows), ['rope', ...SCALED, 'pift', 'learned']);
  for (const r of ['rope', ...SCALED, 'pift']) {
    assert.equal(rows[r].length, 6, `${r}: five lengths and the training time`);
    for (const v of rows[r].slice(0, 5)) assert.match(v, /^\d+\.\d\d$/, `${r}: a perplexity (${v})`);
  }
  assert.match(rows.rope[5], /^\d+\.\d$/, 'training seconds');
  assert.deepEqual(rows.learned.slice(0, 2), [rows.learned[0], 'cannot read past its table (64 rows)']);
  assert.match(rows.learned[0], /^\d+\.\d\d$/, 'the learned table reads 64 tokens');
  assert.equal(await page.locator(`${W} .lm-cannot`).getAttribute('colspan'), '4');
  assert.match(await page.locator(`${W} .lm-cannot`).getAttribute('title'), /RangeError|posenc\.lm\.evaluate/);
  for (const r of SCALED) assert.equal(rows[r][0], rows.rope[0], `${r} at 1x is RoPE itself`);
  workerRope = { rope: rows.rope.slice(0, 5), pi: rows.pi.slice(0, 5) };
  // NTK-aware and YaRN: the same model (same settings, 40 steps) evaluated here through pe.lm, window by window.
  const direct = await page.evaluate(async () => {
    const { init } = await import('/package/index.js');
    const pe = await init();
    const eval_ = pe.corpus.generate({ seed: 1, stream: 'eval', length: 1024 + 1024 + 1 });
    const t = pe.lm.create({ corpus: { seed: 1 }, position: 'rope', steps: 40, seed: 1, dataSeed: 1001, context: 64, batch: 8, t5MaxDistance: 64 });
    t.train(40);
    const out = {};
    for (const type of ['ntk', 'yarn']) {
      out[type] = [64, 128, 256, 512, 1024].map((length) => {
        let nll = 0;
        let n = 0;
        for (let w = 0; w < Math.max(1, Math.floor(1024 / length)); w++) {
          const r = t.evaluate({ tokens: eval_.subarray(w * length, w * length + length + 1), length, maxScored: length,
            rope: length > 64 ? { type, factor: length / 64 } : undefined });
          nll += Math.log(r.perplexity) * r.scored;
          n += r.scored;
        }
        return Math.exp(nll / n).toFixed(2);
      });
    }
    // Claim 13: the first quarter of each length's windows (at least one), full and with attention cut
    // to the last 64 tokens, and the attention profile over one window of 1024.
    out.context = [128, 256, 512, 1024].map((length) => {
      const windows = Math.max(1, Math.ceil(Math.floor(1024 / length) / 4));
      const o = { tokens: eval_.subarray(0, windows * length + 1), length, maxScored: windows * length };
      return { length, full: t.evaluate(o).perplexity, cut: t.evaluate({ ...o, window: 64 }).perplexity };
    });
    out.profile = t.attentionProfile({ tokens: eval_.subarray(0, 1025), length: 1024, maxScored: 1024, distances: [16, 64, 256] });
    t.dispose();
    return out;
  });
  assert.deepEqual(rows.ntk.slice(0, 5), direct.ntk, 'NTK-aware row = pe.lm evaluate({ rope: { type: "ntk" } })');
  assert.deepEqual(rows.yarn.slice(0, 5), direct.yarn, 'YaRN row = pe.lm evaluate({ rope: { type: "yarn" } })');
  // Claim 13's panel (fetched after the run): RoPE's gain from the context beyond 64 and its attention profile.
  await page.waitForSelector(`${W} .lm-context-gain`);
  const gain = await page.locator(`${W} .lm-context-gain tr[data-row="rope"] td`).evaluateAll((tds) =>
    tds.map((td) => ({ text: td.textContent, cut: Number(td.dataset.cut), full: Number(td.dataset.full) })));
  assert.equal(gain.length, 4);
  for (const [i, g] of gain.entries()) {
    const d = direct.context[i];
    assert.equal(g.cut, d.cut, `cut perplexity at ${d.length} = evaluate({ window: 64 })`);
    assert.ok(Math.abs(g.full - d.full) <= 1e-9 * d.full, `full perplexity at ${d.length}: ${g.full} vs ${d.full}`);
    const e = d.cut - d.full;
    assert.equal(g.text, `${Math.abs(e) < 0.005 ? '' : e > 0 ? '+' : '−'}${Math.abs(e).toFixed(2)}`);
  }
  const share = await page.locator(`${W} .lm-context-share tr[data-row="rope"] td`).allTextContents();
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const expected = direct.profile.share.flatMap((heads, l) => [`layer ${l + 1}`, ...[0, 1, 2].map((k) => {
    const v = heads.map((h) => h[k]);
    return `${pct(v.reduce((a, b) => a + b, 0) / v.length)} (${pct(Math.max(...v))})`;
  })]);
  assert.deepEqual(share, expected, 'attention share beyond 16 / 64 / 256 = attentionProfile');
  assert.equal(await page.locator(`${W} .lm-context-gain tr[data-row="learned"] td`).allTextContents().then((c) => c.every((x) => x === '–')), true,
    'the learned table reads no length past 64');
  assert.match(await page.locator(`${W} [data-job="rope"] .lm-job-text`).textContent(), /^\d+\.\d s · [\d,]+ tokens\/s · final loss \d\.\d{3}$/);

  const drawn = await measureCanvases(page, ID);
  for (const f of drawn) {
    assert.ok(f.colours >= 16, `${f.name} drew curves (${f.colours} colours)`);
    const was = before.find((b) => b.name === f.name);
    if (was) assert.notEqual(f.checksum, was.checksum, `${f.name} changed`);
  }
  assert.ok(drawn.some((f) => f.name === 'extrapolation-context'), 'claim 13 plotted after the run');

  const fig = page.locator('[data-figure="extrapolation-perplexity"]');
  const [csv] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: /CSV/ }).click()]);
  assert.equal(csv.suggestedFilename(), 'posenc-extrapolation-perplexity.csv');
  const lines = (await readFile(await csv.path(), 'utf8')).trim().split('\r\n');
  assert.equal(lines[0], 'method,eval_length,perplexity,scored_tokens,note,steps,seed,text');
  assert.equal(lines.length, 1 + 6 * 5);
  assert.match(lines[1], /^rope,64,\d+\.\d+,1024,,40,1,corpus$/);
  assert.ok(lines.includes('learned,1024,,,cannot,40,1,corpus'));
  const [png] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: /PNG/ }).click()]);
  assert.deepEqual([...(await readFile(await png.path())).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const [loss] = await Promise.all([page.waitForEvent('download'),
    page.locator('[data-figure="extrapolation-loss"]').getByRole('button', { name: /CSV/ }).click()]);
  assert.match(await readFile(await loss.path(), 'utf8'), /^method,step,loss\r\nrope,20,\d/);

  // The finished run survives a language switch (the widget is mounted again) and a theme change;
  // screenshots of it in both languages, both themes, two widths.
  for (const width of [1100, 375]) {
    await page.setViewportSize({ width, height: 900 });
    for (const lang of ['en', 'ja']) {
      for (const theme of ['light', 'dark']) {
        await page.evaluate(([lang, theme]) => {
          const p = new URLSearchParams(location.hash.slice(1));
          p.set('lang', lang);
          p.set('theme', theme);
          location.hash = p.toString();
        }, [lang, theme]);
        await page.waitForFunction(([lang, W]) => document.documentElement.lang === lang && document.querySelector(`${W} .lm-results`), [lang, W]);
        await page.waitForTimeout(100);
        await page.locator(W).screenshot({ path: join(ARTIFACTS, `extrapolation-run-${lang}-${theme}-${width}.png`) });
      }
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0, `no sideways scrolling at ${width} px`);
  }
  assert.equal(await page.locator(`${W} h2`).textContent(), '短く学習し、長く試す：ブラウザの中でのライブ再現');
  assert.equal((await table(page)).learned[1], '表の先は読めない（64 行）');
  await finish(ctx);
});

test('Cancel terminates every worker at once; Start runs again to the end', T, async () => {
  const ctx = await open(env, `site/embed.html?w=${ID}#extrapolation.steps=2000&extrapolation.scored=1024&extrapolation.pift=0` +
    '&extrapolation.sinusoidal=0&extrapolation.rope=0&extrapolation.nope=1&extrapolation.learned=0');
  const { page } = ctx;
  await ready(page, ID);
  const w = page.locator(W);
  await w.getByRole('button', { name: 'Start' }).click();
  await page.waitForFunction((W) => document.querySelector(W).dataset.workers === '2' &&
    [...document.querySelectorAll(`${W} .lm-job progress`)].every((p) => p.value > 0), W);
  assert.equal(page.workers().length, 2, 'two module workers (ALiBi and NoPE)');
  for (const worker of page.workers()) assert.match(worker.url(), /\/site\/dist\/lm-worker\.js$/);
  await w.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(await runState(page), { run: 'cancelled', workers: 0, ms: (await runState(page)).ms });
  assert.equal(await noWorkers(page), 0, 'no worker left behind');
  assert.deepEqual(await page.locator(`${W} .lm-job-text`).allTextContents(), ['cancelled', 'cancelled']);
  assert.match(await w.locator('.lm-run').textContent(), /^Cancelled after \d+\.\d s/);
  // The settings are usable again; a shorter run completes.
  const steps = w.getByLabel('Training steps per model', { exact: true });
  assert.equal(await steps.isEnabled(), true);
  await steps.fill('20');
  await steps.press('Enter');
  await hashHas(page, [['extrapolation.steps', '20']]);
  await w.getByRole('button', { name: 'Start' }).click();
  await waitRun(page, ['done', 'error', 'cancelled']);
  assert.equal((await runState(page)).run, 'done');
  assert.deepEqual(Object.keys(await table(page)), ['alibi', 'nope']);
  assert.equal(await noWorkers(page), 0);
  // A language switch mounts the widget again: a run in progress stops with it.
  await steps.fill('2000');
  await steps.press('Enter');
  await hashHas(page, [['extrapolation.steps', '2000']]);
  await w.getByRole('button', { name: 'Start' }).click();
  await page.waitForFunction((W) => document.querySelector(W).dataset.workers === '2', W);
  await page.evaluate(() => { location.hash += '&lang=ja'; });
  await page.waitForFunction((W) => document.documentElement.lang === 'ja' && document.querySelector(W)?.dataset.run, W);
  assert.equal(await noWorkers(page), 0, 'the old widget\'s workers are gone');
  assert.equal((await runState(page)).run, 'cancelled', 'the new widget shows the interrupted run as cancelled');
  assert.match(await w.locator('.lm-run').textContent(), /^\d+\.\d 秒で中止しました。終わったセルは残しています。同時に 2 スレッドで実行しました（モデルごとに Web Worker 1 つ）。/);
  await finish(ctx);
});

test('settings come from the URL; hostile values are clamped or ignored; nothing runs until Start', T, async () => {
  const evil = '<img src=x onerror=alert(1)>';
  const hash = new URLSearchParams({
    'extrapolation.steps': '1e309', 'extrapolation.seed': evil, 'extrapolation.scored': '-5', 'extrapolation.rope': 'yes',
    'extrapolation.kerple': '1', 'extrapolation.pift': '0', 'extrapolation.sinusoidal': '__proto__', 'extrapolation.text': evil,
  }).toString();
  const ctx = await open(env, `site/embed.html?w=${ID}#${hash}`);
  const { page } = ctx;
  await ready(page, ID);
  const w = page.locator(W);
  const field = (label) => w.locator('input:not([type="range"]), select').and(page.getByLabel(label, { exact: true }));
  assert.equal(await field('Training steps per model').inputValue(), '5000', '1e309 -> max');
  assert.equal(await field('Seed (corpus, weights, batches)').inputValue(), '1', 'markup -> default');
  assert.equal(await field('Tokens scored per length').inputValue(), '1024', 'negative -> min');
  assert.equal(await field('Size').inputValue(), 'custom');
  assert.equal(await field('KERPLE (log)').isChecked(), true);
  assert.equal(await field('RoPE').isChecked(), true, 'an unknown boolean falls back to the default');
  assert.equal(await field('sinusoidal').isChecked(), true);
  assert.equal(await field('PI ×4 after a fine-tune of 200 steps at 4L').isChecked(), false);
  assert.match(await w.locator('.lm-plan').textContent(), /^5 models × 5000 steps/);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, script:not([src])').length), 0);
  const canonical = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  assert.deepEqual([...canonical.keys()].sort(), ['extrapolation.kerple', 'extrapolation.scored', 'extrapolation.steps']);
  assert.equal(canonical.get('extrapolation.scored'), '1024');
  assert.deepEqual(await runState(page), { run: 'idle', workers: 0, ms: 0 });
  assert.equal(page.workers().length, 0);
  // A preset writes its steps and scored tokens to the URL; unchecking RoPE disables its stretched rows.
  await field('Size').selectOption('quick');
  await hashHas(page, [['extrapolation.steps', '200'], ['extrapolation.scored', '4096']]);
  await field('RoPE').uncheck();
  await hashHas(page, [['extrapolation.rope', '0']]);
  for (const label of ['PI at evaluation only (position interpolation, Chen et al. 2023)', 'NTK-aware scaling at evaluation only',
    'YaRN at evaluation only (Peng et al. 2023)']) assert.equal(await field(label).isDisabled(), true, label);
  // A link restores the same controls.
  const again = await open(env, `site/embed.html?w=${ID}${await page.evaluate(() => location.hash)}`);
  await ready(again.page, ID);
  assert.equal(await again.page.locator(W).getByLabel('Training steps per model', { exact: true }).inputValue(), '200');
  assert.equal(await again.page.locator(W).getByLabel('RoPE', { exact: true }).isChecked(), false);
  await finish(again);
  await finish(ctx);
});

test('a dropped text file is read locally (nothing uploaded), split 90/10 and trained on', T, async () => {
  const ctx = await open(env, `site/embed.html?w=${ID}#extrapolation.steps=20&extrapolation.scored=1024&extrapolation.pi=0` +
    '&extrapolation.pift=0&extrapolation.sinusoidal=0&extrapolation.rope=0&extrapolation.t5=0&extrapolation.nope=0&extrapolation.learned=0');
  const { page } = ctx;
  const requests = [];
  page.on('request', (r) => requests.push([r.method(), r.url(), r.postData()]));
  await ready(page, ID);
  // 6160 bytes (¿ and é take two each): 5544 to train on, 616 to evaluate (too short for a window of 1024).
  await page.evaluate((W) => {
    const text = 'The cat sat on the mat, and the dog (a large one) slept by the door. ¿Qué? '.repeat(100).slice(0, 6000);
    const data = new DataTransfer();
    data.items.add(new File([text], 'mine <b>.txt', { type: 'text/plain' }));
    document.querySelector(`${W} .lm-drop`).dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, W);
  await page.waitForFunction((W) => document.querySelector(W).dataset.text === 'file', W);
  assert.equal(await page.locator(`${W} .lm-text-info`).textContent(),
    'Your text: mine <b>.txt, 6,160 bytes (one token each): 5,544 to train on, 616 to evaluate; 400 outside the alphabet (read as “?”).');
  await page.locator(W).getByRole('button', { name: 'Start' }).click();
  await waitRun(page, ['done', 'error', 'cancelled']);
  assert.equal((await runState(page)).run, 'done');
  const rows = await table(page);
  assert.deepEqual(Object.keys(rows), ['alibi']);
  for (const v of rows.alibi.slice(0, 4)) assert.match(v, /^\d+\.\d\d$/);
  assert.equal(rows.alibi[4], 'text too short', 'no window of 1024 in 616 evaluation ids');
  assert.match(await page.locator('[data-figure="extrapolation-perplexity"] figcaption').textContent(), /your text's last 10%/);
  assert.deepEqual(requests.filter(([method]) => method !== 'GET'), [], 'nothing was sent anywhere');
  assert.ok(requests.every(([, url]) => new URL(url).origin === new URL(env.server.url).origin));
  assert.equal(await page.evaluate(() => location.hash).then((h) => h.includes('mine')), false, 'the file is not in the URL');
  // Back to the generated corpus.
  await page.locator(W).getByRole('button', { name: 'Use the generated corpus' }).click();
  assert.equal(await page.evaluate((W) => document.querySelector(W).dataset.text, W), 'corpus');
  await finish(ctx);
});

test('equal compute: sinusoidal at 2L (batch 4) beside ALiBi at L; its panel\'s memory is pe.lm trainer.memory', T, async () => {
  const ctx = await open(env, `site/embed.html?w=${ID}#extrapolation.steps=20&extrapolation.scored=1024&extrapolation.sinusoidal=0` +
    '&extrapolation.rope=0&extrapolation.learned=0&extrapolation.sin2l=1');
  const { page } = ctx;
  await ready(page, ID);
  await page.locator(W).getByRole('button', { name: 'Start' }).click();
  await waitRun(page, ['done', 'error', 'cancelled']);
  assert.equal((await runState(page)).run, 'done');
  const rows = await table(page);
  assert.deepEqual(Object.keys(rows), ['sin2l', 'alibi']);
  await page.waitForSelector(`${W} .lm-equal`);
  const equal = await page.locator(`${W} .lm-equal tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.row, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
  assert.deepEqual(equal.map((r) => r[0]), ['alibi', 'sin2l']);
  for (const [key, p128, p256, p1024, secs] of equal) {
    assert.deepEqual([p128, p256, p1024], [rows[key][1], rows[key][2], rows[key][4]], `${key}: the results table's numbers`);
    assert.equal(secs, rows[key][5]);
  }
  // Memory per step, through the package directly: the same models' trainers.
  const direct = await page.evaluate(async () => {
    const { init } = await import('/package/index.js');
    const pe = await init();
    const bytes = (context, batch) => {
      const t = pe.lm.create({ corpus: { seed: 1 }, position: 'alibi', steps: 20, seed: 1, dataSeed: 1001, context, batch, t5MaxDistance: 64 });
      const out = { before: t.memory.stepBytes };
      t.train(20);
      out.after = t.memory.stepBytes;
      t.dispose();
      return out;
    };
    return { l: bytes(64, 8), l2: bytes(128, 4) };
  });
  const mib = (b) => `${(b / 2 ** 20).toFixed(2)} MiB`;
  assert.equal(equal[0][5], mib(direct.l.after));
  assert.equal(equal[1][5], mib(direct.l2.after));
  assert.ok(direct.l2.after > direct.l.after, 'attention at 2L needs more memory per step for the same tokens');
  assert.match(await page.locator(`${W} .lm-equal-finding`).textContent(), /^In this run ALiBi at L is (better|worse) \(\d+\.\d\d against \d+\.\d\d\) at 128 tokens, takes \d+% of the time and \d+% of the step memory\.$/);
  await finish(ctx);
});

test('the custom element trains on the main thread in slices, without workers, with the same numbers', T, async () => {
  const attrs = 'steps="40" scored="1024" sinusoidal="0" alibi="0" t5="0" nope="0" learned="0"';
  const url = await env.page('extrapolation-element.html',
    bare(`<posenc-extrapolation ${attrs}></posenc-extrapolation>\n<script type="module" src="/site/dist/posenc-widgets.js"></script>`));
  const ctx = await open(env, url);
  const { page } = ctx;
  const host = 'posenc-extrapolation';
  await page.waitForFunction(() => document.querySelector('posenc-extrapolation')?.dataset.ready === 'true');
  const shadow = (sel) => page.locator(host).locator(sel);
  assert.equal(await shadow('input[type="checkbox"]').and(page.getByLabel('PI ×4 after a fine-tune of 200 steps at 4L')).isDisabled(), true,
    'no fine-tune without workers');
  assert.match(await shadow('.lm-mode').textContent(), /cannot start the site's workers/);
  assert.match(await shadow('.lm-mode a').getAttribute('href'), /\/site\/index\.html#sec-extrapolation$/);
  // The page keeps answering while it trains: the longest gap between timer callbacks.
  await page.evaluate(() => {
    window.__gap = 0;
    let last = performance.now();
    window.__ping = setInterval(() => { const now = performance.now(); window.__gap = Math.max(window.__gap, now - last); last = now; }, 10);
  });
  await shadow('button.primary').click();
  let workers = 0;
  for (let i = 0; i < 600 && (await runState(page, host)).run === 'running'; i++) {
    workers = Math.max(workers, page.workers().length);
    await page.waitForTimeout(50);
  }
  assert.equal((await runState(page, host)).run, 'done');
  assert.equal(workers, 0, 'no worker at any time');
  assert.match(await shadow('.lm-run').textContent(), /^Done in \d+\.\d s\. The numbers below are this run's\. 1 thread ran: this page's main thread, in time slices\. The page is cross-origin isolated \(shared memory available\)\.$/);
  const gap = await page.evaluate(() => { clearInterval(window.__ping); return window.__gap; });
  console.log(`# main-thread run: longest gap between 10 ms timers ${gap.toFixed(0)} ms`);
  assert.ok(gap < 500, `the page was never frozen (${gap.toFixed(0)} ms)`);
  const rows = await table(page, host);
  assert.deepEqual(Object.keys(rows), ['rope', 'pi', 'ntk', 'yarn']);
  if (workerRope) {
    assert.deepEqual(rows.rope.slice(0, 5), workerRope.rope, 'the same RoPE numbers as in a worker');
    assert.deepEqual(rows.pi.slice(0, 5), workerRope.pi);
  }
  const requests = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname));
  assert.ok(requests.every((path) => path.startsWith('/site/dist/') && !path.endsWith('lm-worker.js')), `the bundle's files, no worker: ${requests}`);
  for (const f of await measureCanvases(page, ID, host)) assert.ok(f.colours >= 16, `${f.name} drew`);
  const live = () => page.evaluate(() => document.querySelector('posenc-extrapolation').pe.lm.liveTrainers());
  assert.equal(await live(), 0, 'the trainers were disposed');
  // Cancel stops the slices and disposes the trainer in training; Start runs again.
  await page.evaluate(() => document.querySelector('posenc-extrapolation').setAttribute('steps', '2000'));
  await shadow('button.primary').click();
  await page.waitForFunction(() => document.querySelector('posenc-extrapolation').shadowRoot.querySelector('.lm-job progress').value > 0.01);
  assert.equal(await live(), 1, 'one trainer at a time');
  await shadow('button').and(page.getByRole('button', { name: 'Cancel' })).click();
  assert.equal((await runState(page, host)).run, 'cancelled');
  assert.equal(await live(), 0, 'the cancelled trainer was disposed');
  await page.evaluate(() => document.querySelector('posenc-extrapolation').setAttribute('steps', '20'));
  await shadow('button.primary').click();
  await waitRun(page, ['done', 'error', 'cancelled'], host);
  assert.equal((await runState(page, host)).run, 'done');
  assert.equal(await live(), 0);
  await finish(ctx);
});

test('the default comparison on the article page (POSENC_LM_FULL=1; 9 s on two idle cores)', { timeout: 600_000, skip: process.env.POSENC_LM_FULL !== '1' }, async () => {
  const ctx = await open(env, 'site/#theme=light');
  const { page } = ctx;
  await page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
  });
  const w = page.locator(W);
  await w.scrollIntoViewIfNeeded();
  const t0 = Date.now();
  await w.getByRole('button', { name: 'Start' }).click();
  await waitRun(page, ['done', 'error', 'cancelled'], null, 540_000);
  const wall = Date.now() - t0;
  const state = await runState(page);
  assert.equal(state.run, 'done');
  const rows = await table(page);
  const jobs = await page.locator(`${W} .lm-job`).evaluateAll((li) => li.map((l) => [l.dataset.job, l.querySelector('.lm-job-text').textContent]));
  const views = await page.evaluate(() => performance.getEntriesByName('posenc:lm-view').map((e) => e.duration).sort((a, b) => a - b));
  const result = { wallMs: wall, runMs: state.ms, cores: await page.evaluate(() => navigator.hardwareConcurrency), rows, jobs,
    longTasksMs: await page.evaluate(() => window.__long), viewMs: { count: views.length, median: views[views.length >> 1], max: views.at(-1) } };
  await writeFile(join(ARTIFACTS, 'extrapolation-default.json'), JSON.stringify(result, null, 2));
  console.log(`# default comparison: ${(state.ms / 1000).toFixed(1)} s on ${result.cores} cores`);
  for (const [r, cells] of Object.entries(rows)) console.log(`# ${r.padEnd(10)} ${cells.join('  ')}`);
  for (const lang of ['en', 'ja']) {
    for (const theme of ['light', 'dark']) {
      await page.evaluate(([lang, theme]) => { location.hash = `lang=${lang}&theme=${theme}`; }, [lang, theme]);
      await page.waitForFunction(([lang, W]) => document.documentElement.lang === lang && document.querySelector(`${W} .lm-results`), [lang, W]);
      await page.waitForTimeout(200);
      await w.screenshot({ path: join(ARTIFACTS, `extrapolation-default-${lang}-${theme}-1100.png`) });
    }
  }
  assert.ok(state.ms < 120_000, `within two minutes (${state.ms} ms)`);
  await finish(ctx);
});
