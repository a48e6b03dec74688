// SPDX-License-Identifier: MIT
// The attention playground's cost figure (CLAIMS 14), loaded once the widget is drawn: time and
// memory of pe.attention against the length, plain vs streaming (lib/attention-cost.js), measured
// on the reader's device when the figure is first seen, one module Web Worker per path (each its own
// posenc instance, so that its heap is that path's alone; without workers, on the page with a short
// budget per call), on log-log axes with guides of slope 2 and 1. Until then, and faintly after,
// the same measurement made on the project's machine (web/site/data/attention-cost.json, written by
// scripts/attention-cost.mjs).
import { COST_PATHS, COST_SETTINGS, measurePath } from '../lib/attention-cost.js';
import { button } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { siteUrl } from '../lib/embed.js';
import { axes, inset, legend, series } from '../lib/plot.js';

const COST_WORKER_URL = new URL('./cost-worker.js', import.meta.url);
// Per call: the measurement stops before a call would take longer (in a worker; on the page's own
// thread, when workers cannot start, a much shorter one).
const COST_BUDGET_MS = { worker: 1000, inline: 60 };

const TEXT = {
  en: {
    costTitle: 'What attention costs: time and memory against the length',
    costCap: `Measured on this device, ${COST_SETTINGS.heads} heads of dimension ${COST_SETTINGS.headDim}, causal ALiBi. Both paths do the same L² arithmetic, so both times grow like L² (the dashed guide of slope 2; slope 1 is linear); forming and returning the weights adds memory traffic to the plain path. Memory is the module's WebAssembly heap after the call: the plain path forms the L × L weights of every head and grows like L²; the streaming path (online softmax) never stores them and stays nearly flat. Faint points: the same measurement on the project's two-core machine (scripts/attention-cost.mjs).`,
    time: 'ms per call', memory: 'WebAssembly heap, MiB', lengthAxis: 'length L (log)',
    paths: { plain: 'plain: L × L weights formed', streaming: 'streaming: online softmax' },
    reference: 'faint: the project\'s machine', slope2: 'slope 2 (∝ L²)', slope1: 'slope 1 (∝ L)',
    measuring: (path, inWorker) => `Measuring the ${path} path ${inWorker ? 'in a Web Worker' : 'on this page (no workers here: short calls only)'}…`,
    measured: (parts) => `Measured on this device: ${parts.join('; ')}.`,
    part: (path, L, reason) => `${path} up to L = ${L.toLocaleString('en')}${reason === 'budget' ? ' (the next length would take over the time budget per call)' : reason === 'refused' ? ' (the next length is refused: its weights would exceed 256 MiB)' : ''}`,
    measureAgain: 'Measure again',
  },
  ja: {
    costTitle: 'アテンションのコスト：長さに対する時間とメモリ',
    costCap: `このデバイスでの実測。ヘッド ${COST_SETTINGS.heads} 個、ヘッド次元 ${COST_SETTINGS.headDim}、因果マスク付き ALiBi。どちらの経路も同じ L² の演算をするので、時間はどちらも L² に比例して増えます（破線の傾き 2。傾き 1 は線形）。通常経路では、重みを作って返すメモリの読み書きがさらに加わります。メモリは呼び出し後のモジュールの WebAssembly ヒープです。通常経路は全ヘッドの L × L の重みを作るので L² で増え、ストリーミング経路（オンライン softmax）は重みを保存しないのでほぼ平らです。薄い点は、プロジェクトの 2 コアのマシンで同じ測定をした結果です（scripts/attention-cost.mjs）。`,
    time: '1 回あたりの ms', memory: 'WebAssembly ヒープ（MiB）', lengthAxis: '長さ L（対数）',
    paths: { plain: '通常：L × L の重みを作る', streaming: 'ストリーミング：オンライン softmax' },
    reference: '薄い点：プロジェクトのマシン', slope2: '傾き 2（∝ L²）', slope1: '傾き 1（∝ L）',
    measuring: (path, inWorker) => `${path === 'plain' ? '通常' : 'ストリーミング'}経路を${inWorker ? ' Web Worker で' : 'このページで（ここでは Worker を使えないので短い呼び出しだけ）'}測定中…`,
    measured: (parts) => `このデバイスでの測定：${parts.join('。')}。`,
    part: (path, L, reason) => `${path === 'plain' ? '通常' : 'ストリーミング'}経路は L = ${L.toLocaleString('ja')} まで${reason === 'budget' ? '（次の長さは 1 回あたりの時間の上限を超えます）' : reason === 'refused' ? '（次の長さは重みが 256 MiB を超えるため拒否されます）' : ''}`,
    measureAgain: 'もう一度測る',
  },
};

/** The cost figure's two panels (time, memory) inside a width x height canvas. */
function costPanels(width, height) {
  if (width >= 640) {
    const half = Math.floor(width / 2);
    return [inset(half, height, { left: 62, bottom: 40 }), { ...inset(width - half, height, { left: 62, bottom: 40 }), x: half + 62 }];
  }
  const half = Math.floor(height / 2);
  return [inset(width, half, { left: 62, bottom: 44 }), { ...inset(width, height - half, { left: 62, bottom: 44 }), y: half + 24 }];
}

const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Mount the cost figure into `slot` of widget `w`; returns { destroy }. */
export function mountCost(w, slot, { inline, lang }) {
  const t = TEXT[lang] ?? TEXT.en;
  const { pe } = w;
  const cost = w.figure({ name: 'cost', label: t.costTitle, caption: t.costCap, height: (width) => (width >= 640 ? 300 : 560) }, slot);
  // Its pixels depend on this device's timings: data-live marks it (tests compare every other figure's pixels).
  cost.element.dataset.live = 'measured';
  const costStatus = h('p', { class: 'note', role: 'status' });
  const againButton = button(t.measureAgain, () => measure(), { class: 'button small' });
  slot.append(h('div', { class: 'cost-foot' }, costStatus, againButton));
  const points = { plain: [], streaming: [] };
  const stops = {};
  let reference = null;
  let workers = [];
  const paintCost = () => cost.paint((ctx, { width, height, colours }) => {
    const [timeRect, memRect] = costPanels(width, height);
    const all = [...points.plain, ...points.streaming, ...(reference?.points ?? [])];
    const lengths = all.map((p) => p.length);
    const xr = { lo: Math.min(64, ...lengths), hi: Math.max(16384, ...lengths) };
    const colour = { plain: colours.series[1], streaming: colours.series[0] };
    const panel = (rect, key, label, scaleOf) => {
      const ys = all.map(scaleOf).filter((y) => y > 0);
      const lo = ys.length ? 10 ** Math.floor(Math.log10(Math.min(...ys))) : 0.01;
      const hi = ys.length ? 10 ** Math.ceil(Math.log10(Math.max(...ys))) : 1000;
      const map = axes(ctx, rect, { lo: xr.lo, hi: xr.hi, log: true }, { lo, hi: Math.max(hi, lo * 100), log: true }, colours);
      // Axis titles beside each panel (the shared helper puts them at the canvas's edges).
      ctx.fillStyle = colours.ink;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(t.lengthAxis, rect.x + rect.w / 2, rect.y + rect.h + 20);
      ctx.save();
      ctx.translate(rect.x - 48, rect.y + rect.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(label, 0, 0);
      ctx.restore();
      // Guides of slope 2 and 1 through the plain path's point at L = 1024 (else its last point).
      const anchorFrom = points.plain.length ? points.plain : (reference?.points ?? []).filter((p) => p.path === 'plain');
      const anchor = anchorFrom.find((p) => p.length === 1024) ?? anchorFrom.at(-1);
      if (anchor) {
        const xs = [xr.lo, xr.hi];
        series(ctx, map, { xs, ys: xs.map((x) => scaleOf(anchor) * (x / anchor.length) ** 2), colour: colours.muted, width: 1, dash: [5, 4] }, rect);
        series(ctx, map, { xs, ys: xs.map((x) => scaleOf(anchor) * (x / anchor.length)), colour: colours.muted, width: 1, dash: [1, 3] }, rect);
      }
      for (const path of COST_PATHS) {
        const ref = (reference?.points ?? []).filter((p) => p.path === path);
        ctx.save();
        ctx.globalAlpha = 0.3;
        series(ctx, map, { xs: ref.map((p) => p.length), ys: ref.map(scaleOf), colour: colour[path], width: 1, points: true, radius: 3, readout: true, label: `${path} (reference)` }, rect);
        ctx.restore();
        series(ctx, map, { xs: points[path].map((p) => p.length), ys: points[path].map(scaleOf), colour: colour[path], points: true, radius: 3.5, readout: true, label: path }, rect);
      }
      return map;
    };
    panel(timeRect, 'time', t.time, (p) => p.ms);
    panel(memRect, 'memory', t.memory, (p) => p.heapBytes / 2 ** 20);
    legend(ctx, memRect, [
      { label: t.paths.plain, colour: colour.plain }, { label: t.paths.streaming, colour: colour.streaming },
      { label: t.slope2, colour: colours.muted, dash: [5, 4] }, { label: t.slope1, colour: colours.muted, dash: [1, 3] },
      ...(reference ? [{ label: t.reference, colour: colours.muted }] : []),
    ], colours, 'left');
  });
  const summary = () => t.measured(COST_PATHS.filter((p) => points[p].length).map((p) => t.part(p, points[p].at(-1).length, stops[p])));
  const stopWorkers = () => {
    for (const worker of workers) worker.terminate();
    workers = [];
  };
  /**
   * Measure both paths on this device, in workers (else on the page, with a short budget per call).
   * Pressed again while measuring, it starts over.
   */
  let run = 0;
  let cancelWait = () => {};
  async function measure() {
    const mine = ++run;
    cancelWait();
    stopWorkers();
    points.plain = [];
    points.streaming = [];
    for (const path of ['streaming', 'plain']) {
      costStatus.textContent = t.measuring(path, !inline);
      cost.element.dataset.measuring = path;
      const onReport = (r) => {
        if (r.type === 'point') points[path].push(r);
        else stops[path] = r.reason;
        paintCost();
        // For the tests: what was measured (length, ms, heap bytes per path).
        cost.element.dataset.points = JSON.stringify(Object.fromEntries(COST_PATHS.map((p) => [p, points[p].map((q) => [q.length, q.ms, q.heapBytes])])));
      };
      if (inline) {
        for (const r of measurePath(pe, path, { budgetMs: COST_BUDGET_MS.inline })) {
          onReport(r);
          await yieldToPage();
          if (mine !== run) return;
        }
      } else {
        await new Promise((resolve) => {
          cancelWait = resolve;
          const worker = new Worker(COST_WORKER_URL, { type: 'module', name: `posenc-cost-${path}` });
          workers.push(worker);
          worker.onmessage = ({ data: r }) => {
            if (mine !== run) return;
            onReport(r);
            if (r.type === 'stop') resolve();
          };
          worker.onerror = () => resolve();
          worker.postMessage({ path, budgetMs: COST_BUDGET_MS.worker });
        });
        if (mine !== run) return;
        stopWorkers();
      }
    }
    cost.element.dataset.measuring = 'done';
    costStatus.textContent = summary();
  }
  // Until the reader's device has measured: the reference measurement, faint.
  fetch(siteUrl('data/attention-cost.json')).then((r) => (r.ok ? r.json() : null)).then((json) => {
    reference = json;
    cost.element.dataset.reference = String(json?.points?.length ?? 0);
    paintCost();
  }, () => {});
  paintCost();
  const seen = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      seen.disconnect();
      measure();
    }
  });
  seen.observe(cost.element);
  return {
    destroy() {
      run += 1;
      cancelWait();
      seen.disconnect();
      stopWorkers();
    },
  };
}
