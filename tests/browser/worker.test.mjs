// SPDX-License-Identifier: MIT
// posenc/worker in Debian's chromium, on a bare page under the strict CSP: a module Worker made
// from worker.js returns what the main-thread library computes (bit for bit) and the same errors;
// while attention over 1024 x 8 x 64 runs in it, the page's longest task stays short; cancelling the
// running call and terminate() leave no worker running.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { finish, open, setUp } from './harness.mjs';

let env;
let ctx;
before(async () => {
  env = await setUp();
  const url = await env.page('worker.html', '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>posenc/worker</title>'
    + '<link rel="icon" href="/site/favicon.svg" type="image/svg+xml"></head><body><p>posenc/worker</p></body></html>\n');
  ctx = await open(env, url);
  // The page loads both forms once; later evaluations use window.pe and window.pw.
  await ctx.page.evaluate(async () => {
    const [{ init }, { initWorker }] = await Promise.all([import('/package/index.js'), import('/package/worker.js')]);
    window.pe = await init();
    window.pw = await initWorker();
  });
});
after(async () => {
  if (ctx) await finish(ctx);
  await env?.close();
});

const T = { timeout: 60_000 };

test('the worker computes what the page computes, bit for bit, and throws the same errors', T, async () => {
  assert.equal(ctx.page.workers().length, 1);
  const report = await ctx.page.evaluate(async () => {
    const bytes = (a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const vec = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 0.37));
    const q = vec(64 * 4 * 16, 1), k = vec(64 * 4 * 16, 2), v = vec(64 * 4 * 16, 3);
    const f = pe.rope.frequencies({ head_dim: 16, rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 32 } });
    const calls = {
      sinusoidal: (p) => p.sinusoidal({ length: 50, dim: 32 }),
      rope: (p) => p.rope.apply(q, { shape: [64, 4, 16], frequencies: f, offset: 7 }),
      alibi: (p) => p.alibi.bias({ heads: 5, queries: 9, causal: true }),
      attention: async (p) => (await p.attention({ q, k, v, shape: [64, 4, 16], position: { method: 'rope', frequencies: f }, causal: true })).output,
    };
    const same = {};
    for (const [name, call] of Object.entries(calls)) {
      const [here, there] = [await call(pe), await call(pw)];
      same[name] = there instanceof Float32Array && JSON.stringify(bytes(here)) === JSON.stringify(bytes(there));
    }
    const bad = {
      position: (p) => p.attention({ q, k, v, shape: [64, 4, 16], position: 'rope' }),
      length: (p) => p.sinusoidal({ length: 0, dim: 4 }),
      fn: (p) => p.alibi.bias(() => 0),
    };
    const errors = {};
    for (const [name, call] of Object.entries(bad)) {
      const caught = async (p) => { try { await call(p); return null; } catch (e) { return [e.constructor.name, e.message]; } };
      errors[name] = [await caught(pe), await caught(pw)];
    }
    return { same, errors };
  });
  assert.deepEqual(report.same, { sinusoidal: true, rope: true, alibi: true, attention: true });
  for (const [name, [here, there]] of Object.entries(report.errors)) {
    assert.ok(here, `${name}: the page throws`);
    assert.deepEqual(there, here, name);
  }
  assert.match(report.errors.position[0][1], /^posenc\.attention: position 'rope' needs frequencies/);
});

test('attention 1024 x 8 x 64 in the worker leaves the page responsive', T, async () => {
  const r = await ctx.page.evaluate(async () => {
    const n = 1024 * 8 * 64;
    const q = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.01));
    const opts = { q, k: q, v: q, shape: [1024, 8, 64], position: 'alibi', causal: true };
    // The page's longest task (Long Tasks API: tasks of 50 ms or more) while a call is pending; with
    // `ping`, also the longest gap between turns of its event loop (the pings are tasks themselves,
    // which a machine busy with other work can stretch, so the long tasks are taken without them).
    const tasks = [];
    new PerformanceObserver((list) => tasks.push(...list.getEntries())).observe({ type: 'longtask' });
    const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
    const measure = async (start, ping) => {
      let last = performance.now();
      let longestGap = 0;
      let pending = ping;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
        if (pending) channel.port2.postMessage(0);
      };
      if (ping) channel.port2.postMessage(0);
      const t0 = performance.now();
      const result = await start();
      const t1 = performance.now();
      await turn();
      pending = false;
      channel.port1.close();
      await turn();  // long-task entries are delivered after the task
      const during = tasks.filter((t) => t.startTime < t1 && t.startTime + t.duration > t0);
      return { longestTask: Math.max(0, ...during.map((t) => t.duration)), longestGap: ping ? longestGap : NaN, ms: t1 - t0, result };
    };
    const inWorker = await measure(() => pw.attention(opts), false);
    const pinged = await measure(() => pw.attention(opts), true);
    const onPage = await measure(async () => pe.attention(opts), true);
    const a = inWorker.result.output, b = onPage.result.output;
    const figures = ({ longestTask, longestGap, ms }) => ({ longestTask, longestGap, ms });
    return {
      longTasksObserved: PerformanceObserver.supportedEntryTypes.includes('longtask'),
      worker: { ...figures(inWorker), longestGap: pinged.longestGap, secondMs: pinged.ms },
      page: figures(onPage),
      equal: a.length === b.length && a.every((x, i) => Object.is(x, b[i])),
    };
  });
  const line = ({ ms, longestTask, longestGap }) => `${ms.toFixed(0)} ms, longest page task ${longestTask.toFixed(0)} ms, longest gap ${longestGap.toFixed(0)} ms`;
  console.log(`attention 1024x8x64 in the worker: ${line(r.worker)} (again: ${r.worker.secondMs.toFixed(0)} ms); on the page: ${line(r.page)}`);
  assert.ok(r.equal, 'same output');
  assert.ok(r.longTasksObserved, 'the browser reports long tasks');
  // No long task while the worker computes (a machine busy with other work may stretch a short one:
  // it must still be far shorter than the call on the page).
  assert.ok(r.worker.longestTask < Math.max(50, r.page.ms / 4), `the page was blocked ${r.worker.longestTask} ms while the worker computed`);
});

test('cancelling the running call, then terminate(), leave no worker running', T, async () => {
  await ctx.page.evaluate(() => {
    const big = Float32Array.from({ length: 4096 * 8 * 64 }, (_, i) => Math.cos(i));
    window.controller = new AbortController();
    window.outcome = pw.withSignal(controller.signal).attention({ q: big, k: big, v: big, shape: [4096, 8, 64], streaming: false })
      .then(() => 'finished', (e) => `${e.name}`);
  });
  assert.equal(ctx.page.workers().length, 1);
  await new Promise((r) => setTimeout(r, 300));  // the call is running in the worker
  const outcome = await ctx.page.evaluate(() => { controller.abort(); return outcome; });
  assert.equal(outcome, 'AbortError');
  for (let i = 0; i < 50 && ctx.page.workers().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(ctx.page.workers().length, 0, 'the cancelled worker is gone');
  // The next call starts a new worker; terminate() ends it.
  assert.equal(await ctx.page.evaluate(async () => (await pw.t5.bucket([-3, 3])).join()), '3,19');
  assert.equal(ctx.page.workers().length, 1);
  await ctx.page.evaluate(() => pw.terminate());
  for (let i = 0; i < 50 && ctx.page.workers().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(ctx.page.workers().length, 0);
});
