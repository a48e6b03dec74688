#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The attention playground at L = 2048 in chromium: the main-thread time of each step of the
// "Random seed" slider (24 steps, one per animation frame, as a dragged slider sends them), i.e. the
// longest task that the step's input event starts, and the time until the widget's cost line shows
// the result of the last step. Prints the median and worst step and that final time.
//   node bench/site-attention.mjs
import { finish, open, ready, setUp } from '../tests/browser/harness.mjs';

const env = await setUp();
try {
  const ctx = await open(env, 'site/embed.html?w=attention#attention.length=2048');
  const { page } = ctx;
  await ready(page, 'attention');
  await page.waitForTimeout(1500);
  const r = await page.evaluate(async () => {
    const widget = document.querySelector('.widget[data-widget="attention"]');
    const lab = [...widget.querySelectorAll('label')].find((l) => l.textContent === 'Random seed');
    const slider = widget.querySelector(`input[type="range"][aria-labelledby="${lab.id}"]`);
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const steps = [];
    for (let i = 0; i < 24; i++) {
      await frame();
      slider.value = String(2 + (i % 20));
      const t0 = performance.now();
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      steps.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const line = widget.querySelector('.note');
    while (!/ms/.test(line.textContent) || /…/.test(line.textContent)) await frame();
    return { steps, settle: performance.now() - t0, line: line.textContent };
  });
  const sorted = [...r.steps].sort((a, b) => a - b);
  const median = (sorted[11] + sorted[12]) / 2;
  console.log(`attention L=2048, seed slider: step median ${median.toFixed(1)} ms, worst ${sorted.at(-1).toFixed(1)} ms; last result shown ${r.settle.toFixed(0)} ms after the last step (${r.line})`);
  await finish(ctx);
} finally {
  await env.close();
}
