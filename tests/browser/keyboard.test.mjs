// SPDX-License-Identifier: MIT
// Regression tests of the widgets' reader-facing defects (each test names the one it guards), and a
// keyboard-only walk of the whole article: from the skip link, Tab reaches every control of every
// widget, each shows a visible focus ring, and each can be operated by keys.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { finish, IDS, measureCanvases, open, ready, setUp, widgetError } from './harness.mjs';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

const T = { timeout: 60_000 };
const widget = (page, id) => page.locator(`.widget[data-widget="${id}"]`);

test('t5: max_distance 5 from a link is raised to the smallest valid value (9), both figures draw; the last bucket starts at 91', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=t5#lang=ja&t5.maxdist=5');
  const { page } = ctx;
  await ready(page, 't5');
  assert.equal(await widgetError(page, 't5'), '');
  assert.equal(await widget(page, 't5').getByRole('spinbutton', { name: 'max_distance' }).inputValue(), '9');
  const figs = await measureCanvases(page, 't5');
  assert.equal(figs.length, 2);
  for (const f of figs) assert.ok(f.colours >= 8, `${f.name} drawn (${f.colours} colours)`);
  // Defaults (32 buckets, bidirectional, max_distance 128): 16 per side, 8 exact; the last bucket (15)
  // begins at the smallest r with 8 + log(r/8)/log(16)·8 >= 15, i.e. r >= 8·16^(7/8) = 90.5.
  const first = Math.ceil(8 * 16 ** (7 / 8));
  assert.equal(first, 91);
  await page.evaluate(() => { location.hash = ''; });
  await ready(page, 't5', '');
  assert.match(await widget(page, 't5').locator('[data-figure="t5-buckets"] figcaption').textContent(), new RegExp(`≥ ${first}`));
  await finish(ctx);
});

test('log sliders announce the plain value (aria-valuetext), not its logarithm', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=sinusoidal');
  const { page } = ctx;
  await ready(page, 'sinusoidal');
  const base = widget(page, 'sinusoidal').getByRole('slider', { name: 'Base b' });
  assert.equal(await base.getAttribute('aria-valuetext'), '10000');
  await base.focus();
  await page.keyboard.press('ArrowRight');
  const field = await widget(page, 'sinusoidal').getByRole('spinbutton', { name: 'Base b' }).inputValue();
  assert.ok(Number(field) > 10000, `the base moved (${field})`);
  assert.equal(await base.getAttribute('aria-valuetext'), field);
  assert.notEqual(await base.inputValue(), field);
  await finish(ctx);
});

test('rope: a number field shows the value drawn (d 63 -> 64); the layout strip has one colour per pair', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=rope#rope.dim=64');
  const { page } = ctx;
  await ready(page, 'rope');
  const field = widget(page, 'rope').getByRole('spinbutton', { name: 'Head dimension d' });
  await field.fill('63');
  await field.press('Enter');
  assert.equal(await field.inputValue(), '64');
  // Colours of the strip's cells: d/2 = 32 pairs, 32 distinct colours (not 10 repeated).
  const colours = await page.evaluate(() => {
    const c = document.querySelector('[data-figure="rope-layout"] canvas');
    const dpr = c.width / c.clientWidth;
    const data = c.getContext('2d').getImageData(0, Math.round(20 * dpr), c.width, 1).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
  assert.ok(colours >= 32, `${colours} colours in the strip`);
  await finish(ctx);
});

test('shuffle: the move buttons keep keyboard focus; the verdict is a status; words by Intl.Segmenter, emoji kept', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=shuffle#shuffle.order=');
  const { page } = ctx;
  await ready(page, 'shuffle');
  const w = widget(page, 'shuffle');
  await w.getByRole('button', { name: 'Move “cat” right' }).focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move “cat” right');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move “cat” right');
  assert.deepEqual(await w.locator('.chip-word').allTextContents(), ['the', 'sat', 'on', 'cat', 'the', 'mat']);
  assert.equal(await w.getByRole('status').count(), 1);
  assert.match(await w.getByRole('status').textContent(), /difference/);
  const sentence = w.getByRole('textbox', { name: 'Sentence (up to 10 words)' });
  await sentence.fill('猫がマットの上に座った');
  await sentence.press('Enter');
  const ja = await w.locator('.chip-word').allTextContents();
  assert.ok(ja.length >= 4, `a Japanese sentence splits into words: ${ja.join(' | ')}`);
  assert.equal(ja.join(''), '猫がマットの上に座った');
  await sentence.fill('I 🐱 you');
  await sentence.press('Enter');
  assert.deepEqual(await w.locator('.chip-word').allTextContents(), ['I', '🐱', 'you']);
  await finish(ctx);
});

test('scaling: an error is in Japanese next to Apply, the stale figures are hidden; Custom keeps the text; a bare rope_scaling block works', T, async () => {
  const bad = encodeURIComponent(JSON.stringify({ hidden_size: 64 }));
  const ctx = await open(env, `site/embed.html?w=scaling#lang=ja&scaling.preset=custom&scaling.config=${bad}`);
  const { page } = ctx;
  await ready(page, 'scaling');
  const w = widget(page, 'scaling');
  const error = w.locator('.widget-error');
  assert.match(await error.textContent(), /設定に head_dim/);
  assert.match(await error.locator('.package-message').textContent(), /posenc\.analysis\.wavelengths: config needs head_dim/);
  assert.equal(await error.evaluate((e) => !!e.closest('.control') && !!e.closest('.control').querySelector('textarea')), true, 'under the config box');
  assert.deepEqual(await measureCanvases(page, 'scaling'), [], 'no figure of the previous settings on screen');
  // A bare block, with the head_dim / rope_theta fields.
  await w.locator('textarea').fill(JSON.stringify({ rope_type: 'linear', factor: 4 }));
  await w.getByRole('button', { name: '適用' }).click();
  await ready(page, 'scaling');
  assert.equal(await widgetError(page, 'scaling'), '');
  assert.ok(await w.getByRole('spinbutton', { name: 'head_dim（rope_scaling だけを貼ったとき）' }).isVisible());
  assert.equal((await measureCanvases(page, 'scaling')).length, 2);
  // Choosing Custom after a preset keeps the preset's text in the box and draws it.
  await w.getByRole('combobox', { name: '設定' }).selectOption('yarn');
  await w.getByRole('combobox', { name: '設定' }).selectOption('custom');
  await ready(page, 'scaling');
  assert.match(await w.locator('textarea').inputValue(), /"rope_type": "yarn"/);
  assert.equal(await widgetError(page, 'scaling'), '');
  await finish(ctx);
});

test('learned: position 512 of BERT is refused in Japanese on the Japanese page; ALiBi counts heads from 1', T, async () => {
  const ctx = await open(env, 'site/embed.html?w=learned#lang=ja');
  const { page } = ctx;
  await ready(page, 'learned');
  const box = widget(page, 'learned').locator('.limit-error');
  assert.match(await box.textContent(), /位置 512 の行は表にありません。表の行は位置 0 から 511 までの 512 行です。/);
  assert.match(await box.locator('.package-message').textContent(), /RangeError: posenc\.learned\.lookup: positions/);
  await finish(ctx);
  const a = await open(env, 'site/embed.html?w=alibi');
  await ready(a.page, 'alibi');
  assert.equal(await widget(a.page, 'alibi').getByRole('spinbutton', { name: 'Head shown' }).inputValue(), '1');
  assert.match(await widget(a.page, 'alibi').locator('[data-figure="alibi-bias"] figcaption').textContent(), /^Head 1, slope m = 0\.5:/);
  await finish(a);
});

test('Japanese page: no ASCII colon inside Japanese text', T, async () => {
  const ctx = await open(env, 'site/#lang=ja');
  const { page } = ctx;
  await page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });
  const text = await page.evaluate(() => document.querySelector('main').innerText);
  const bad = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}）」] ?:(?!\/)/gu) ?? [];
  assert.deepEqual(bad, []);
  await finish(ctx);
});

/** What the focused element is, whether its focus is visible, and what it belongs to. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(), type: el.type ?? '', widget: el.closest('.widget')?.dataset.widget ?? null,
      name: el.getAttribute('aria-label') ?? el.labels?.[0]?.innerText ?? el.innerText.trim().slice(0, 40),
      ring, visible: r.width > 0 && r.height > 0, value: el.type === 'checkbox' ? String(el.checked) : el.value ?? '',
      expanded: el.getAttribute('aria-expanded'),
    };
  });
}

const value = (page) => page.evaluate(() => (document.activeElement.type === 'checkbox' ? String(document.activeElement.checked) : document.activeElement.value));

/** Operate the focused control by keys and put it back; returns whether a key changed it. */
async function operate(page, f) {
  const keys = f.type === 'range' || f.type === 'select-one' ? [f.type === 'range' ? 'ArrowRight' : 'ArrowDown', f.type === 'range' ? 'ArrowLeft' : 'ArrowUp']
    : f.type === 'number' ? ['ArrowUp', 'ArrowDown'] : f.type === 'checkbox' ? ['Space', 'Space'] : null;
  if (keys) {
    await page.keyboard.press(keys[0]);
    let moved = (await value(page)) !== f.value;
    if (!moved) {  // at the top of its range: the other way
      await page.keyboard.press(keys[1]);
      moved = (await value(page)) !== f.value;
      await page.keyboard.press(keys[0]);
    } else {
      await page.keyboard.press(keys[1]);
    }
    return moved;
  }
  if (f.tag === 'input' && f.type === 'text' || f.tag === 'textarea') {
    await page.keyboard.press('End');
    await page.keyboard.type('x');
    const moved = (await value(page)) !== f.value;
    await page.keyboard.press('Backspace');
    return moved;
  }
  if (f.expanded !== null) {  // a disclosure button (Embed): Enter opens and closes it
    await page.keyboard.press('Enter');
    const opened = (await focused(page)).expanded !== f.expanded;
    await page.keyboard.press('Enter');
    return opened;
  }
  if (f.tag === 'summary') {  // a <details>: Enter opens and closes it
    const open = () => page.evaluate(() => document.activeElement.parentElement.open);
    const before = await open();
    await page.keyboard.press('Enter');
    const toggled = (await open()) !== before;
    await page.keyboard.press('Enter');
    return toggled;
  }
  if (f.tag === 'canvas') {  // a figure: focus shows its readout, the arrow keys move it
    const text = () => page.evaluate(() => {
      const tip = document.activeElement.closest('.fig').querySelector('.fig-readout');
      return tip && !tip.hidden ? tip.textContent : '';
    });
    await page.waitForFunction(() => document.activeElement.closest('.fig').querySelector('.fig-readout:not([hidden])'), null, { timeout: 5_000 }).catch(() => {});
    const before = await text();
    await page.keyboard.press('ArrowRight');
    let moved = (await text()) !== before;
    if (!moved) {  // at the last cell or point: the other way
      await page.keyboard.press('ArrowLeft');
      moved = (await text()) !== before;
    }
    return before !== '' && moved;
  }
  return f.tag === 'button' || f.tag === 'a' || f.tag === 'pre';  // native: Enter/Space activate it
}

test('keyboard only: the skip link, then Tab reaches every control of every widget, with a visible focus, each operable by keys', { timeout: 120_000 }, async () => {
  const ctx = await open(env, 'site/');
  const { page } = ctx;
  await page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });
  await page.keyboard.press('Tab');
  const skip = await focused(page);
  assert.equal(skip.name, 'Skip to the contents');
  assert.ok(skip.ring && await page.evaluate(() => document.activeElement.getBoundingClientRect().top >= 0), 'the skip link shows when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'contents');
  assert.equal(await page.evaluate(() => location.hash), '', 'the skip link leaves the settings in the hash alone');

  const reached = new Map(IDS.map((id) => [id, 0]));
  const problems = [];
  const visit = async (f) => {
    if (!f.visible) problems.push(`${f.widget}: ${f.name} is focused but not visible`);
    if (!f.ring) problems.push(`${f.widget}: ${f.name} has no visible focus`);
    if (!f.widget) return;
    reached.set(f.widget, reached.get(f.widget) + 1);
    if (f.widget === 'extrapolation' && f.tag === 'button' && f.expanded === null) return;  // Start would train for minutes
    if (!(await operate(page, f))) problems.push(`${f.widget}: ${f.tag}[${f.type}] "${f.name}" did not respond to its keys`);
  };
  // From the contents to the end of the page.
  for (let i = 0; i < 700; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f || f.name === 'Skip to the contents') break;  // left the page, or wrapped around
    await visit(f);
  }
  // Then the first screen, which sits between the skip link and the contents.
  await page.locator('.skip-link').focus();
  for (let i = 0; i < 100; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f || f.name === 'Adding positions to embeddings') break;
    await visit(f);
  }
  assert.deepEqual(problems, []);
  // Every enabled, visible control of every widget was reached.
  const controls = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.widget')].map((w) => [w.dataset.widget,
    [...w.querySelectorAll('input, select, textarea, button, summary, a[href], [tabindex="0"]')].filter((el) => !el.disabled && el.offsetParent !== null && el.tabIndex >= 0).length])));
  for (const id of IDS) assert.equal(reached.get(id), controls[id], `${id}: ${reached.get(id)} of ${controls[id]} controls reached by Tab`);
  console.log(`# keyboard walk: ${[...reached.values()].reduce((a, b) => a + b, 0)} controls in ${IDS.length} widgets, each operated by keys`);
  // From the top again: the skip link and the contents (every section after the first screen's) reach the last widget.
  await page.locator('.skip-link').focus();
  await page.keyboard.press('Enter');
  const links = await page.locator('#contents a').count();
  assert.equal(links, IDS.length - 1, 'a link to every section below the first screen');
  for (let i = 0; i < links; i++) await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Train short, test long');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sec-extrapolation');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).widget, 'extrapolation', 'the next Tab is in the last widget');
  // Every key press drew a valid state (log sliders snap to their grid, so a round trip may not give the start value back).
  assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll('.widget')].filter((w) => w.dataset.status !== 'ready').map((w) => w.dataset.widget)), []);
  await finish(ctx);
});
