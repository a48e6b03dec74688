// SPDX-License-Identifier: MIT
// Widget 10: attention playground. Where the chosen position method acts in the attention block
// (a diagram, CLAIMS 9); pe.attention with that method on seeded random q, k, v (illustrative),
// the weights of one head (returnWeights; above L = 512 computed in blocks of queries, in a pool of
// Web Workers where it can start, and drawn pooled to 512 x 512: attention-long.js); and what
// attention costs against the length, measured live on the reader's machine in Web Workers
// (lib/attention-cost.js: time and memory, plain vs streaming, CLAIMS 14).
import { checkboxField, selectField, sliderField } from '../lib/controls.js';
import { createLut, VIRIDIS } from '../lib/colormap.js';
import { h } from '../lib/dom.js';
import { FONT, fmt, heatmap, intTicks, ramp } from '../lib/plot.js';
import { uniform } from '../lib/random.js';
import { mountWidget } from '../lib/widget.js';

const METHODS = ['none', 'sinusoidal', 'learned', 'rope', 'xpos', 'alibi', 't5', 'kerple', 'shaw'];
const MAX_DRAWN = 512;
// Beyond MAX_DRAWN the weights are computed in blocks of queries and pooled to MAX_DRAWN x MAX_DRAWN
// (attention-long.js); that starts once the controls rest for SETTLE_MS, for the latest settings
// only, so a dragged slider stays smooth.
const SETTLE_MS = 250;

export const schema = Object.freeze({
  method: { type: 'enum', default: 'alibi', values: METHODS },
  length: { type: 'int', default: 32, min: 2, max: 2048 },
  heads: { type: 'int', default: 4, min: 1, max: 8 },
  headdim: { type: 'int', default: 32, min: 4, max: 128, step: 2 },
  head: { type: 'int', default: 0, min: 0, max: 7 },
  causal: { type: 'bool', default: true },
  seed: { type: 'int', default: 1, min: 0, max: 999999 },
});

const TEXT = {
  en: {
    title: 'Attention playground',
    caption: [
      'Where positions enter depends on the method: added to the inputs (sinusoidal, learned), rotating q and k (RoPE, ' +
      'xPos), added to the logits (ALiBi, T5, KERPLE), or inside the product (Shaw). Here q, k and v are seeded random ' +
      'vectors (illustrative), so the structure you see comes from the position method and the mask.',
      'Whatever the encoding, the weights form an L × L matrix per head: the cost of attention grows with the square of ' +
      'the length. Long contexts need an encoding that extrapolates and an attention that fits in memory; the package ' +
      'also has a streaming path (online softmax) whose memory grows only linearly.',
    ],
    method: 'Position method', length: 'Length L', heads: 'Heads', headdim: 'Head dimension', head: 'Head shown',
    causal: 'Causal mask', seed: 'Random seed',
    methods: { none: 'none (NoPE)', sinusoidal: 'sinusoidal (added to q, k, v)', learned: 'learned table (random, illustrative)',
      rope: 'RoPE', xpos: 'xPos', alibi: 'ALiBi', t5: 'T5 buckets (random table)', kerple: 'KERPLE (log, r1 = 1, r2 = 0.5)',
      shaw: 'Shaw, k = 8 (random tables)' },
    weights: 'Attention weights', weightsCap: (s, hd, max) => `Head ${hd} of ${s.heads}: softmax weights, rows = queries, columns = keys (viridis from 0 to ${fmt(max)}; larger weights get the top colour).`,
    weightsPooledCap: (s, hd, max, b) => `Head ${hd} of ${s.heads}: softmax weights at L = ${s.length}, pooled to ${MAX_DRAWN} × ${MAX_DRAWN}: each pixel is the mean of a block of about ${b} × ${b} (query, key) pairs (viridis from 0 to ${fmt(max)}).`,
    computing: (s) => `L = ${s.length}: computing the weights of every head in blocks of queries…`,
    cost: (s, ms) => `L = ${s.length}: ${(s.heads * s.length * s.length).toLocaleString('en')} query-key pairs, ${ms} ms.`,
    block: 'Where position enters',
    query: 'query i →', key: 'key j →',
  },
  ja: {
    title: 'アテンションの実験場',
    caption: [
      '位置情報が入る場所は方式によって違います：入力に足す（正弦波、学習表）、q と k を回転する（RoPE、xPos）、' +
      'ロジットに足す（ALiBi、T5、KERPLE）、積の中に入れる（Shaw）。ここでは q、k、v はシード付きの乱数（説明用）なので、' +
      '見える構造は位置の方式とマスクから来ています。',
      'どのエンコーディングでも、重みはヘッドごとに L × L の行列になり、アテンションのコストは長さの 2 乗で増えます。' +
      '長い文脈には、外挿できるエンコーディングとメモリに収まるアテンションの両方が必要です。パッケージには、' +
      'メモリが線形にしか増えないストリーミング経路（オンライン softmax）もあります。',
    ],
    method: '位置の方式', length: '長さ L', heads: 'ヘッド数', headdim: 'ヘッド次元', head: '表示するヘッド',
    causal: '因果マスク', seed: '乱数シード',
    methods: { none: 'なし（NoPE）', sinusoidal: '正弦波（q, k, v に足す）', learned: '学習表（乱数、説明用）',
      rope: 'RoPE', xpos: 'xPos', alibi: 'ALiBi', t5: 'T5 バケット（乱数の表）', kerple: 'KERPLE（log、r1 = 1、r2 = 0.5）',
      shaw: 'Shaw、k = 8（乱数の表）' },
    weights: 'アテンションの重み', weightsCap: (s, hd, max) => `${s.heads} ヘッド中のヘッド ${hd}：softmax の重み。行 = クエリ、列 = キー（viridis、0 から ${fmt(max)}。それより大きい重みは最上端の色）。`,
    weightsPooledCap: (s, hd, max, b) => `${s.heads} ヘッド中のヘッド ${hd}：L = ${s.length} の softmax の重みを ${MAX_DRAWN} × ${MAX_DRAWN} に縮約。各ピクセルは約 ${b} × ${b} 個の（クエリ、キー）の組の平均です（viridis、0 から ${fmt(max)}）。`,
    computing: (s) => `L = ${s.length}：全ヘッドの重みをクエリのブロックごとに計算中…`,
    cost: (s, ms) => `L = ${s.length}：クエリとキーの組 ${(s.heads * s.length * s.length).toLocaleString('ja')} 個、${ms} ms。`,
    block: '位置情報が入る場所',
    query: 'クエリ i →', key: 'キー j →',
  },
};

/** The position option of pe.attention for `method`, with illustrative random tables where it needs them. */
function position(pe, s) {
  const d = s.headdim;
  switch (s.method) {
    case 'rope': return { method: 'rope', frequencies: pe.rope.frequencies({ head_dim: d }) };
    case 'learned': return { method: 'learned', table: uniform(s.length * d, 31 + s.seed, 0.5) };
    case 't5': return { method: 't5', table: uniform(32 * s.heads, 37 + s.seed, 2) };
    case 'kerple': return { method: 'kerple', r1: 1, r2: 0.5 };
    case 'shaw': return { method: 'shaw', maxDistance: 8, tableK: uniform(17 * d, 41 + s.seed), tableV: uniform(17 * d, 43 + s.seed) };
    default: return s.method;
  }
}

/** Tick marks at positions 0 .. L-1 of a pooled heatmap in `rect` (the pixels are blocks of positions). */
function positionTicks(ctx, rect, L, colours) {
  const ticks = intTicks(L, Math.floor(rect.w / 56));
  ctx.font = FONT;
  ctx.fillStyle = colours.muted;
  ctx.strokeStyle = colours.muted;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const p of ticks) {
    const f = (p + 0.5) / L;
    const x = Math.round(rect.x + f * rect.w) + 0.5;
    const y = Math.round(rect.y + f * rect.h) + 0.5;
    ctx.moveTo(x, rect.y - 4);
    ctx.lineTo(x, rect.y);
    ctx.moveTo(rect.x - 4, y);
    ctx.lineTo(rect.x, y);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(String(p), x, rect.y - 6);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(String(p), rect.x - 6, y);
  }
  ctx.stroke();
}

export function createAttention(container, options) {
  const inline = options.workers === false || typeof Worker !== 'function';
  return mountWidget(container, options, {
    id: 'attention', schema, text: TEXT, embedHeight: 1700,
    setup(w) {
      const { t, pe, lang } = w;
      const controls = {
        method: selectField({ label: t.method, choices: METHODS.map((m) => ({ value: m, label: t.methods[m] })), onChange: w.set('method') }),
        length: sliderField({ label: t.length, spec: schema.length, scale: 'log', onChange: w.set('length') }),
        heads: sliderField({ label: t.heads, spec: schema.heads, onChange: w.set('heads') }),
        headdim: sliderField({ label: t.headdim, spec: schema.headdim, onChange: w.set('headdim') }),
        head: sliderField({ label: t.head, spec: schema.head, onChange: w.set('head') }),
        causal: checkboxField({ label: t.causal, onChange: w.set('causal') }),
        seed: sliderField({ label: t.seed, spec: { ...schema.seed, max: 100 }, onChange: w.set('seed') }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));
      const lut = createLut(VIRIDIS);

      // Where position enters (CLAIMS 9): the diagram's module is loaded once the widget is drawn,
      // and its figure made then (no blank canvas meanwhile).
      const blockSlot = h('div', { class: 'block-slot' });
      w.body.append(blockSlot);
      let block = null;
      let diagram = null;
      const drawDiagram = (s) => {
        if (!diagram || !s) return;
        block ??= w.figure({ name: 'block', label: t.block, height: (width) => (width >= 640 ? 124 : 290) }, blockSlot);
        const { BLOCK_TEXT, ENTERS, drawBlock } = diagram;
        const bt = BLOCK_TEXT[lang] ?? BLOCK_TEXT.en;
        block.setCaption(bt.where[s.method]);
        block.setLabel(`${bt.label}: ${bt.where[s.method]}`);
        block.element.dataset.enters = (ENTERS[s.method] ?? []).join(' ') || 'nowhere';
        block.paint((ctx, size) => drawBlock(ctx, size, s.method, bt));
      };

      // The weights of one head.
      const costLine = h('p', { class: 'note' });
      w.body.append(costLine);
      let data = null;
      const fig = w.figure({ name: 'weights', label: t.weights, className: 'fig-square', height: (width) => Math.min(width - 56, 480) + 70,
        csv: () => (data ? { header: ['query', ...Array.from({ length: data.side }, (_, j) => (data.pooled ? `k${Math.floor((j * data.L) / data.side)}` : `k${j}`))],
          rows: Array.from({ length: data.side }, (_, i) => [data.pooled ? Math.floor((i * data.L) / data.side) : i, ...data.weights.subarray(i * data.side, (i + 1) * data.side)]) } : null) });
      const paintWeights = (s, head) => {
        const { weights, side, pooled, L } = data;
        // Colour scale: up to the largest weight of the later rows (the first queries see few keys, and a
        // causal row 0 is all on one key); larger weights clip to the top colour.
        let max = 0;
        for (let i = Math.floor(side / 2) * side; i < weights.length; i++) max = Math.max(max, weights[i]);
        fig.setCaption(pooled ? t.weightsPooledCap(s, head, max, Math.round(L / side)) : t.weightsCap(s, head, max));
        fig.paint((ctx, { height, colours }) => {
          const px = height - 70;
          heatmap(ctx, { x: 46, y: 30, w: px, h: px }, { rows: side, cols: side, values: weights, lut, lo: 0, hi: max || 1, colours,
            xLabel: t.key, yLabel: t.query, ...(pooled ? { rowTicks: [], colTicks: [] } : {}) });
          if (pooled) positionTicks(ctx, { x: 46, y: 30, w: px, h: px }, L, colours);
          ramp(ctx, 46, 36 + px, Math.min(150, px), lut, ['0', `≥ ${fmt(max)}`], colours);
        });
      };

      const inputs = (s) => {
        const n = s.length * s.heads * s.headdim;
        return { q: uniform(n, 1000 + s.seed), k: uniform(n, 2000 + s.seed), v: uniform(n, 3000 + s.seed) };
      };
      let settle = 0;
      let generation = 0;
      let long = null;  // attention-long.js, for this widget: loaded at the first L above MAX_DRAWN
      /** Above MAX_DRAWN: every head's weights in blocks of queries (in workers where they start), the shown head pooled. */
      async function pooledWeights(s, head, mine) {
        long ??= import('./attention-long.js').then((m) => m.createLong(pe, { inline, lang }));
        const r = await (await long).weights(s, head, inputs(s), position(pe, s), () => mine !== generation);
        if (!r) return;
        data = { weights: r.weights, side: r.side, pooled: true, L: s.length };
        costLine.textContent = r.text;
        paintWeights(s, head);
      }

      // The measured cost (CLAIMS 14): its own module, loaded once the widget is drawn.
      let costView = null;
      let destroyed = false;
      const costSlot = h('div', { class: 'cost-slot' });
      w.body.append(costSlot);
      // data-pending until both are in place (the tests wait for it).
      w.root.dataset.pending = 'figures';
      setTimeout(() => Promise.all([
        import('./attention-block.js').then((m) => {
          diagram = m;
          if (!destroyed) drawDiagram(w.state());
        }),
        import('./attention-cost-view.js').then(({ mountCost }) => {
          if (!destroyed) costView = mountCost(w, costSlot, { inline, lang });
        }),
      ]).finally(() => delete w.root.dataset.pending), 0);

      function render(s) {
        clearTimeout(settle);
        generation += 1;
        const head = Math.min(s.head, s.heads - 1);
        controls.head.element.querySelectorAll('input').forEach((el) => { el.max = String(s.heads - 1); });
        controls.head.set(head);
        drawDiagram(s);
        const L = s.length;
        if (L > MAX_DRAWN) {
          const mine = generation;
          costLine.textContent = t.computing(s);
          settle = setTimeout(() => {
            pooledWeights(s, head, mine).catch((e) => mine === generation && w.error(e instanceof Error ? e.message : String(e)));
          }, SETTLE_MS);
          return;
        }
        const t0 = performance.now();
        const result = pe.attention({ ...inputs(s), shape: [L, s.heads, s.headdim], position: position(pe, s), causal: s.causal, returnWeights: true, streaming: false });
        const ms = performance.now() - t0;
        costLine.textContent = t.cost(s, ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
        data = { weights: result.weights.slice(head * L * L, (head + 1) * L * L), side: L, pooled: false, L };
        paintWeights(s, head);
      }
      return {
        controls,
        render,
        destroy: () => {
          clearTimeout(settle);
          generation += 1;
          destroyed = true;
          costView?.destroy();
          long?.then((l) => l.destroy());
        },
      };
    },
  });
}
