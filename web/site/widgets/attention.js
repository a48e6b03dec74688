// SPDX-License-Identifier: MIT
// Widget 10: attention playground. pe.attention with a chosen position method on seeded random
// q, k, v (illustrative), weights per head (returnWeights), and the cost of long sequences
// (L^2 weights per head; the streaming path keeps memory linear). CLAIMS 14, and 9.
import { checkboxField, selectField, sliderField } from '../lib/controls.js';
import { createLut, VIRIDIS } from '../lib/colormap.js';
import { h } from '../lib/dom.js';
import { fmt, heatmap, ramp } from '../lib/plot.js';
import { uniform } from '../lib/random.js';
import { mountWidget } from '../lib/widget.js';

const METHODS = ['none', 'sinusoidal', 'learned', 'rope', 'xpos', 'alibi', 't5', 'kerple', 'shaw'];
const MAX_DRAWN = 512;
// Beyond MAX_DRAWN nothing is drawn but the cost line, and one call takes 100 ms or more: it runs
// once the controls rest for this long, for the latest settings only, so a dragged slider stays smooth.
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
    tooBig: (s, mb) => `Weights are drawn up to L = ${MAX_DRAWN}. At L = ${s.length} they would be ${s.heads} × ${s.length}² = ${(s.heads * s.length * s.length).toLocaleString('en')} numbers (${mb} MB); the streaming path computed the output without storing them.`,
    cost: (s, ms, streaming) => `L = ${s.length}: ${(s.heads * s.length * s.length).toLocaleString('en')} query-key pairs, ${streaming ? 'streaming' : 'plain'} path, ${ms} ms.`,
    pending: (s) => `L = ${s.length}: ${(s.heads * s.length * s.length).toLocaleString('en')} query-key pairs, streaming path: computing when the controls rest…`,
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
    tooBig: (s, mb) => `重みを描くのは L = ${MAX_DRAWN} までです。L = ${s.length} では ${s.heads} × ${s.length}² = ${(s.heads * s.length * s.length).toLocaleString('ja')} 個（${mb} MB）になります。出力はストリーミング経路で、重みを保存せずに計算しました。`,
    cost: (s, ms, streaming) => `L = ${s.length}：クエリとキーの組 ${(s.heads * s.length * s.length).toLocaleString('ja')} 個、${streaming ? 'ストリーミング' : '通常'}経路、${ms} ms。`,
    pending: (s) => `L = ${s.length}：クエリとキーの組 ${(s.heads * s.length * s.length).toLocaleString('ja')} 個、ストリーミング経路。操作が止まったら計算します…`,
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

export function createAttention(container, options) {
  return mountWidget(container, options, {
    id: 'attention', schema, text: TEXT, embedHeight: 1000,
    setup(w) {
      const { t, pe } = w;
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
      const costLine = h('p', { class: 'note' });
      w.body.append(costLine);
      let data = null;
      const fig = w.figure({ name: 'weights', label: t.weights, className: 'fig-square', height: (width) => Math.min(width - 56, 480) + 70,
        csv: () => (data?.weights ? { header: ['query', ...Array.from({ length: data.L }, (_, j) => `k${j}`)],
          rows: Array.from({ length: data.L }, (_, i) => [i, ...data.weights.subarray(i * data.L, (i + 1) * data.L)]) } : null) });

      let settle = 0;
      const run = (s, draw) => {
        const L = s.length;
        const n = L * s.heads * s.headdim;
        const t0 = performance.now();
        const result = pe.attention({ q: uniform(n, 1000 + s.seed), k: uniform(n, 2000 + s.seed), v: uniform(n, 3000 + s.seed),
          shape: [L, s.heads, s.headdim], position: position(pe, s), causal: s.causal, returnWeights: draw, streaming: !draw });
        const ms = performance.now() - t0;
        costLine.textContent = t.cost(s, ms < 10 ? ms.toFixed(1) : ms.toFixed(0), !draw);
        return result;
      };

      function render(s) {
        clearTimeout(settle);
        const head = Math.min(s.head, s.heads - 1);
        controls.head.element.querySelectorAll('input').forEach((el) => { el.max = String(s.heads - 1); });
        controls.head.set(head);
        const L = s.length;
        const draw = L <= MAX_DRAWN;
        if (!draw) {
          data = null;
          costLine.textContent = t.pending(s);
          settle = setTimeout(() => {
            try {
              run(s, false);
            } catch (e) {
              w.error(e instanceof Error ? e.message : String(e));
            }
          }, SETTLE_MS);
          fig.setCaption(t.tooBig(s, ((s.heads * L * L * 4) / 2 ** 20).toFixed(0)));
          fig.paint((ctx, { width, height, colours }) => {
            ctx.strokeStyle = colours.line;
            ctx.strokeRect(46.5, 30.5, Math.min(width - 56, height - 40) - 1, Math.min(width - 56, height - 40) - 1);
          });
          return;
        }
        const result = run(s, true);
        const weights = result.weights.subarray(head * L * L, (head + 1) * L * L);
        // Colour scale: up to the largest weight of the later rows (the first queries see few keys, and a
        // causal row 0 is all on one key); larger weights clip to the top colour.
        let max = 0;
        for (let i = Math.floor(L / 2) * L; i < weights.length; i++) max = Math.max(max, weights[i]);
        data = { weights, L };
        fig.setCaption(t.weightsCap(s, head, max));
        fig.paint((ctx, { width, height, colours }) => {
          const side = height - 70;
          heatmap(ctx, { x: 46, y: 30, w: side, h: side }, { rows: L, cols: L, values: weights, lut, lo: 0, hi: max || 1, colours,
            xLabel: t.key, yLabel: t.query });
          ramp(ctx, 46, 36 + side, Math.min(150, side), lut, ['0', `≥ ${fmt(max)}`], colours);
        });
      }
      return { controls, render, destroy: () => clearTimeout(settle) };
    },
  });
}
