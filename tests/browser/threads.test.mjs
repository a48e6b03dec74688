// SPDX-License-Identifier: MIT
// posenc/worker's pool (initWorker({ threads })) in Debian's chromium, on a bare page under the
// site's strict CSP served by scripts/serve.mjs, once cross-origin isolated (COOP + COEP: the pool
// trains through shared memory) and once not (isolated: false: one message per step):
// pw.sharedMemory follows crossOriginIsolated; attention split over two workers is bit-identical to
// one worker's (causal ALiBi, also checked against a float64 formula written here; RoPE with an odd
// head count and an odd length); an LM trainer trained 10 steps on two workers has exactly one
// worker's loss and evaluation perplexity; cancelling a data-parallel train() rejects with the
// signal's reason, the trainer is gone, no worker is left behind, and the page keeps working; no
// CSP violation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { finish, open, setUp } from './harness.mjs';

const T = { timeout: 120_000 };
const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>posenc/worker threads</title>'
  + '<link rel="icon" href="/site/favicon.svg" type="image/svg+xml"></head><body><p>posenc/worker threads</p></body></html>\n';
// The LM of the comparison (small, so that 10 steps take well under a second).
const LM = { corpus: { seed: 1, length: 20000 }, batch: 5, steps: 20, dModel: 16, heads: 2, mlp: 32, context: 16 };
// One that trains long enough to be cancelled while it runs.
const LONG_LM = { corpus: { seed: 2, length: 200000 }, batch: 8, steps: 100000, dModel: 64, heads: 4, mlp: 128, context: 64 };

/** Wait until the page has `n` dedicated workers (Playwright's view of chromium's targets); returns the count. */
async function workersSettle(page, n, tries = 100) {
  for (let i = 0; i < tries && page.workers().length !== n; i++) await page.waitForTimeout(50);
  return page.workers().length;
}

for (const isolated of [true, false]) {
  describe(isolated ? 'cross-origin isolated (COOP + COEP): shared memory' : 'not cross-origin isolated: one message per step', () => {
    let env;
    let ctx;
    before(async () => {
      env = await setUp({ isolated });
      ctx = await open(env, await env.page('threads.html', PAGE));
      await ctx.page.evaluate(async () => {
        const { initWorker } = await import('/package/worker.js');
        window.initWorker = initWorker;
        [window.pw1, window.pw2] = await Promise.all([initWorker({ threads: 1 }), initWorker({ threads: 2 })]);
      });
    });
    after(async () => {
      if (ctx) await finish(ctx);
      await env?.close();
    });

    test('the headers make the page isolated or not; pw.sharedMemory follows crossOriginIsolated, in the page and its workers', T, async () => {
      const headers = ctx.response.headers();
      assert.equal(headers['cross-origin-opener-policy'], isolated ? 'same-origin' : undefined);
      assert.equal(headers['cross-origin-embedder-policy'], isolated ? 'require-corp' : undefined);
      assert.equal(headers['cross-origin-resource-policy'], 'cross-origin');
      assert.equal(headers['access-control-allow-origin'], '*');
      assert.match(headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
      const r = await ctx.page.evaluate(async () => {
        let refused = null;
        try {
          (await initWorker({ threads: 2, sharedMemory: true })).terminate();
        } catch (e) {
          refused = [e.constructor.name, e.message];
        }
        return { coi: crossOriginIsolated, sab: typeof SharedArrayBuffer, threads: [pw1.threads, pw2.threads], shared: [pw1.sharedMemory, pw2.sharedMemory], refused };
      });
      assert.equal(r.coi, isolated);
      assert.equal(r.sab, isolated ? 'function' : 'undefined');
      assert.deepEqual(r.threads, [1, 2]);
      assert.deepEqual(r.shared, [isolated, isolated], 'pw.sharedMemory is crossOriginIsolated');
      if (isolated) assert.equal(r.refused, null, 'sharedMemory: true is accepted');
      else {
        assert.equal(r.refused?.[0], 'TypeError');
        assert.match(r.refused[1], /^posenc\.initWorker: sharedMemory: true needs SharedArrayBuffer/);
      }
      // Three workers (one pool of 1, one of 2), each as isolated as the page.
      assert.equal(await workersSettle(ctx.page, 3), 3);
      for (const worker of ctx.page.workers()) {
        assert.match(worker.url(), /\/package\/worker-thread\.js$/);
        assert.equal(await worker.evaluate(() => crossOriginIsolated), isolated);
      }
    });

    test('attention on two workers is bit-identical to one: causal ALiBi (and a float64 formula), RoPE with 3 heads and L = 101', T, async () => {
      const r = await ctx.page.evaluate(async () => {
        const vec = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 0.731) * 1.5);
        const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        const same = (a, b) => a.length === b.length && bytes(a).every((x, i) => x === bytes(b)[i]);
        const out = {};
        // Causal ALiBi, 4 heads: slopes 2^(-8 h / 4) for h = 1..4 (Press et al. 2022), bias -m (i - j).
        {
          const [L, H, D] = [150, 4, 16];
          const q = vec(L * H * D, 1), k = vec(L * H * D, 2), v = vec(L * H * D, 3);
          const opts = { q, k, v, shape: [L, H, D], position: 'alibi', causal: true, returnWeights: true, streaming: false };
          const [one, two] = await Promise.all([pw1.attention(opts), pw2.attention(opts)]);
          let worst = 0;
          for (let h = 0; h < H; h++) {
            const m = 2 ** ((-8 * (h + 1)) / H);
            for (let i = 0; i < L; i++) {
              const s = [];
              for (let j = 0; j <= i; j++) {
                let dot = 0;
                for (let d = 0; d < D; d++) dot += q[(i * H + h) * D + d] * k[(j * H + h) * D + d];
                s.push(dot / Math.sqrt(D) - m * (i - j));
              }
              const top = Math.max(...s);
              const e = s.map((x) => Math.exp(x - top));
              const z = e.reduce((a, b) => a + b, 0);
              for (let d = 0; d < D; d++) {
                let y = 0;
                for (let j = 0; j <= i; j++) y += (e[j] / z) * v[(j * H + h) * D + d];
                worst = Math.max(worst, Math.abs(y - two.output[(i * H + h) * D + d]));
              }
            }
          }
          out.alibi = { output: same(one.output, two.output), weights: same(one.weights, two.weights), worst, n: two.output.length };
        }
        // RoPE, 3 heads, 101 queries and keys (no even split), not causal.
        {
          const [L, H, D] = [101, 3, 16];
          const frequencies = await pw1.rope.frequencies({ head_dim: D });
          const q = vec(L * H * D, 4), k = vec(L * H * D, 5), v = vec(L * H * D, 6);
          const opts = { q, k, v, shape: [L, H, D], position: { method: 'rope', frequencies }, returnWeights: true, streaming: false };
          const [one, two] = await Promise.all([pw1.attention(opts), pw2.attention(opts)]);
          // Not position-blind: the same q, k, v without positions give other outputs.
          const nope = await pw2.attention({ ...opts, position: 'none' });
          out.rope = { output: same(one.output, two.output), weights: same(one.weights, two.weights), n: two.output.length,
            differs: !same(two.output, nope.output) };
        }
        return out;
      });
      assert.deepEqual(r.alibi, { output: true, weights: true, worst: r.alibi.worst, n: 150 * 4 * 16 });
      assert.ok(r.alibi.worst < 1e-5, `ALiBi matches the float64 formula (worst difference ${r.alibi.worst})`);
      assert.deepEqual(r.rope, { output: true, weights: true, n: 101 * 3 * 16, differs: true });
    });

    test('an LM trained 10 steps on two workers has exactly one worker\'s loss and evaluation perplexity', T, async () => {
      const r = await ctx.page.evaluate(async (LM) => {
        const tokens = await pw1.corpus.generate({ seed: 1, stream: 'eval', length: 16 * 8 + 1 });
        const pools = [pw1, pw2];
        // The message path on an isolated page too (sharedMemory: false).
        if (pw2.sharedMemory) pools.push(await initWorker({ threads: 2, sharedMemory: false }));
        const runs = [];
        for (const pw of pools) {
          const trainer = await pw.lm.create(LM);
          const before = (await trainer.evaluate({ tokens, length: 16 })).perplexity;
          const trained = await trainer.train(10);
          const after = await trainer.evaluate({ tokens, length: 16 });
          runs.push({ threads: trainer.threads ?? 1, shared: pw.sharedMemory, loss: trained.loss, done: trained.done, steps: trained.steps,
            before, perplexity: after.perplexity, scored: after.scored });
          await trainer.dispose();
        }
        if (pools[2]) pools[2].terminate();
        window.lmLoss = runs[0].loss;
        return runs;
      }, LM);
      const [one, ...others] = r;
      assert.equal(one.threads, 1);
      assert.deepEqual([one.done, one.steps, one.scored], [10, 10, 128]);
      assert.ok(Number.isFinite(one.loss) && one.loss > 0 && one.perplexity < one.before, `it trained (${one.before} -> ${one.perplexity})`);
      assert.equal(others.length, isolated ? 2 : 1);
      for (const run of others) {
        const where = `2 threads, ${run.shared ? 'shared memory' : 'messages'}`;
        assert.equal(run.threads, 2, where);
        assert.ok(Object.is(run.loss, one.loss), `${where}: loss ${run.loss} vs ${one.loss}`);
        assert.ok(Object.is(run.perplexity, one.perplexity), `${where}: perplexity ${run.perplexity} vs ${one.perplexity}`);
        assert.ok(Object.is(run.before, one.before), `${where}: the same initial weights`);
      }
      assert.deepEqual(others.map((run) => run.shared), isolated ? [true, false] : [false]);
    });

    test('cancelling a data-parallel train() rejects with the signal\'s reason; the trainer is gone; the page keeps working', T, async () => {
      await ctx.page.evaluate(() => pw1.terminate());
      assert.equal(await workersSettle(ctx.page, 2), 2, 'the pool of two');
      const r = await ctx.page.evaluate(async (LONG_LM) => {
        const trainer = await pw2.lm.create(LONG_LM);
        const controller = new AbortController();
        const reason = new DOMException('stop', 'AbortError');
        const running = trainer.withSignal(controller.signal).train(100000).then(() => 'finished', (e) => e);
        await new Promise((resolve) => setTimeout(resolve, 600));  // the steps are running in both workers
        controller.abort(reason);
        const outcome = await running;
        const lost = await trainer.train(1).then(() => null, (e) => e.message);
        return { threads: trainer.threads, same: outcome === reason, outcome: String(outcome), lost };
      }, LONG_LM);
      assert.equal(r.threads, 2);
      assert.ok(r.same, `rejects with the signal's reason (${r.outcome})`);
      assert.match(r.lost, /^posenc\.lm\.train: this trainer lived in workers that a cancelled call terminated; create it again$/);
      // The page keeps working: attention, and a new trainer with the same numbers as before.
      const again = await ctx.page.evaluate(async (LM) => {
        const trainer = await pw2.lm.create(LM);
        const { loss } = await trainer.train(10);
        await trainer.dispose();
        const x = Float32Array.from({ length: 33 * 2 * 8 }, (_, i) => Math.cos(i));
        const { output } = await pw2.attention({ q: x, k: x, v: x, shape: [33, 2, 8], position: 'alibi', causal: true });
        return { same: Object.is(loss, window.lmLoss), n: output.length, finite: output.every(Number.isFinite), live: await pw2.lm.liveTrainers() };
      }, LM);
      assert.deepEqual(again, { same: true, n: 33 * 2 * 8, finite: true, live: 0 });
      await ctx.page.evaluate(() => pw2.terminate());
      assert.equal(await workersSettle(ctx.page, 0), 0, 'terminate() ends the pool');
    });

    // A call on a replica that lived in a terminated worker fails without starting a worker
    // (lib/worker-client.js, pump()), so disposing the lost replicas leaves no worker behind.
    test('no worker is left after a cancelled data-parallel train()', T, async () => {
      await ctx.page.evaluate(() => { pw1.terminate(); pw2.terminate(); });
      assert.equal(await workersSettle(ctx.page, 0), 0);
      await ctx.page.evaluate(async (LONG_LM) => {
        window.pw3 = await initWorker({ threads: 2 });
        const trainer = await pw3.lm.create(LONG_LM);
        const controller = new AbortController();
        const running = trainer.withSignal(controller.signal).train(100000).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 600));
        controller.abort();
        await running;
      }, LONG_LM);
      // Both workers run the shared-memory loop when the signal fires, and both are ended. With one
      // message per step, a worker may be idle between two steps then: it stays in the pool (its
      // replica disposed), so at most one is left.
      const left = await workersSettle(ctx.page, 0, 60);
      await ctx.page.evaluate(() => pw3.terminate());
      assert.ok(left <= (isolated ? 0 : 1), `${left} workers left after the cancelled call`);
    });

    test('no CSP violation in the page', T, async () => {
      assert.deepEqual(await ctx.page.evaluate(() => window.__cspViolations), []);
    });
  });
}
