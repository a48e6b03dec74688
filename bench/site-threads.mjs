#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// posenc/worker's pool in chromium, on pages of scripts/serve.mjs, cross-origin isolated or not
// (web/site/README.md, "Threads"):
//   LM  data-parallel training of the train-short-test-long widget's model (context 64, batch 8,
//       ALiBi, the package's default sizes), ms per step: threads 1; threads 2 through shared memory
//       (isolated page); threads 2 with one message per step (the same page with sharedMemory: false,
//       and a page that is not isolated). Rounds interleaved, medians.
//   ATT the attention playground at L = 2048, 8 heads of 64, causal ALiBi, after one warm-up
//       computation: the time its cost line reports for the pooled weights (in the pool: from the
//       first call to the last result; on the page: the calls alone) and the time from the change of
//       seed to the result shown, in the pool of workers (the site's page) and on the page's own
//       thread (the custom element).
//   node bench/site-threads.mjs [--rounds 5] [--steps 20]
import { finish, median, open, ready, setUp } from '../tests/browser/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 5);
const STEPS = arg('--steps', 20);
const LM = { corpus: { seed: 1, length: 200000 }, position: 'alibi', context: 64, batch: 8, steps: 100000 };
const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>threads</title>'
  + '<link rel="icon" href="/site/favicon.svg" type="image/svg+xml"></head><body><p>threads</p></body></html>\n';

/** Pools of the LM comparison on one page: [label, options of initWorker]. */
const POOLS = {
  isolated: [['threads 1', { threads: 1 }], ['threads 2, shared memory', { threads: 2 }], ['threads 2, messages', { threads: 2, sharedMemory: false }]],
  open: [['threads 2, messages (page not isolated)', { threads: 2 }]],
};

const envs = { isolated: await setUp(), open: await setUp({ isolated: false }) };
try {
  // LM: every trainer made once (and warmed up), then rounds of STEPS steps each, interleaved.
  const pages = {};
  for (const [kind, env] of Object.entries(envs)) {
    pages[kind] = await open(env, await env.page('threads.html', PAGE));
    await pages[kind].page.evaluate(async ([pools, LM]) => {
      const { initWorker } = await import('/package/worker.js');
      window.trainers = [];
      for (const [, options] of pools) {
        const pw = await initWorker(options);
        const trainer = await pw.lm.create(LM);
        await trainer.train(3);
        window.trainers.push(trainer);
      }
    }, [POOLS[kind], LM]);
  }
  const times = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [kind, ctx] of Object.entries(pages)) {
      const ms = await ctx.page.evaluate(async (steps) => {
        const out = [];
        for (const trainer of window.trainers) {
          const t0 = performance.now();
          await trainer.train(steps);
          out.push((performance.now() - t0) / steps);
        }
        return out;
      }, STEPS);
      POOLS[kind].forEach(([label], i) => (times[label] ??= []).push(ms[i]));
    }
  }
  const one = median(times['threads 1']);
  for (const [label, ms] of Object.entries(times)) {
    console.log(`LM ${label}: ${median(ms).toFixed(1)} ms per step (median of ${ms.length} x ${STEPS} steps), ${(one / median(ms)).toFixed(2)}x threads 1`);
  }
  for (const ctx of Object.values(pages)) await finish(ctx);

  // ATT: the widget's own cost line, on the site's page (pool) and as a custom element (page's thread).
  const env = envs.isolated;
  const settings = 'length=2048&attention.heads=8&attention.headdim=64';
  // The cost line of the page's attention widget (in the custom element's shadow root if there is one).
  const costLine = () => {
    const host = document.querySelector('posenc-attention');
    return (host ? host.shadowRoot : document).querySelector('.widget-body > p.note')?.textContent ?? '';
  };
  const result = async (page) => {
    await page.waitForFunction(() => / ms in all/.test(window.__costLine?.() ?? ''), null, { timeout: 300_000 });
    return page.evaluate(() => window.__costLine());
  };
  const reseed = (page, seed) => page.evaluate(([settings, seed]) => {
    const host = document.querySelector('posenc-attention');
    (host ? host.shadowRoot : document).querySelector('.widget-body > p.note').textContent = '';
    if (host) host.setAttribute('seed', String(seed));
    else location.hash = `attention.${settings}&attention.seed=${seed}`;
  }, [settings, seed]);
  const element = await env.page('attention-element.html', '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>attention</title>'
    + '<link rel="icon" href="/site/favicon.svg" type="image/svg+xml"></head><body>'
    + '<posenc-attention length="2048" heads="8" headdim="64"></posenc-attention>'
    + '<script type="module" src="/site/dist/posenc-widgets.js"></script></body></html>\n');
  const att = { pool: [], page: [] };
  const wall = { pool: [], page: [] };
  const texts = {};
  for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
    for (const where of ['pool', 'page']) {
      const ctx = await open(env, where === 'pool' ? `site/embed.html?w=attention#attention.${settings}` : element);
      const { page } = ctx;
      await page.evaluate(`window.__costLine = ${costLine}`);
      if (where === 'pool') await ready(page, 'attention');
      else await page.waitForFunction(() => document.querySelector('posenc-attention')?.dataset.ready === 'true');
      // The first computation (seed 1) warms up; the second (seed 2) is measured.
      await result(page);
      const t0 = Date.now();
      await reseed(page, 2);
      texts[where] = await result(page);
      wall[where].push(Date.now() - t0);
      att[where].push(Number(/(\d+) ms in all/.exec(texts[where])[1]));
      await finish(ctx);
    }
  }
  for (const [where, ms] of Object.entries(att)) {
    console.log(`ATT ${where}: the line's time median ${median(ms)} ms (${ms.join(', ')}); from the change to the result shown ` +
      `(the widget's 250 ms pause included) median ${median(wall[where])} ms (${wall[where].join(', ')}); last line: ${texts[where]}`);
  }
} finally {
  for (const env of Object.values(envs)) await env.close();
}
