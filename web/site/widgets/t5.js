// SPDX-License-Identifier: MIT
// Widget 6: T5 relative buckets. Distance -> bucket (pe.t5.bucket), bidirectional or causal, and the
// bias matrix one head adds to the logits (pe.t5.bias) with a demo table. CLAIMS 8.
import { checkboxField, sliderField } from '../lib/controls.js';
import { createLut } from '../lib/colormap.js';
import { h } from '../lib/dom.js';
import { axes, heatmap, legend, inset, ramp, readoutText, series } from '../lib/plot.js';
import { uniform } from '../lib/random.js';
import { mountWidget } from '../lib/widget.js';

export const schema = Object.freeze({
  buckets: { type: 'int', default: 32, min: 4, max: 128 },
  maxdist: { type: 'int', default: 128, min: 2, max: 4096 },
  bidirectional: { type: 'bool', default: true },
  range: { type: 'int', default: 300, min: 8, max: 8192 },
  length: { type: 'int', default: 40, min: 2, max: 160 },
  seed: { type: 'int', default: 1, min: 0, max: 999999 },
});

const TEXT = {
  en: {
    title: 'T5: a learned scalar per bucket of distance',
    caption: [
      'T5 (Raffel et al. 2020) adds nothing to the embeddings. Each head adds one learned number to the attention ' +
      'logit of query i and key j, looked up by the bucket of the relative position j − i: one bucket per distance ' +
      'for small distances, logarithmically wider buckets up to max_distance (128), and one shared bucket for everything ' +
      'further away.',
      'The encoder is bidirectional: keys before and after the query get separate buckets. The decoder is not: every key ' +
      'after the query falls in bucket 0 (the causal mask hides those keys anyway).',
    ],
    buckets: 'Buckets (num_buckets)', maxdist: 'max_distance', bidirectional: 'Bidirectional (encoder)',
    range: 'Plotted distances ±', length: 'Length of the bias matrix',
    plot: 'Bucket of each relative position',
    plotCap: (s, last) => `pe.t5.bucket for j − i from −${s.range} to ${s.range}. The dotted lines mark where the last bucket begins: |j − i| ≥ ${last}. ` +
      `max_distance (${s.maxdist}) is not that point: it is where the logarithmic buckets would reach one past the last, so rounding down puts the start of the last bucket earlier (dashed lines).`,
    bias: 'Bias matrix of one head', biasCap: 'pe.t5.bias with a demo table: random values per bucket between −1 and +1 (illustrative; a trained model learns them). Equal colours = same bucket.',
    rel: 'relative position j − i', bucket: 'bucket', query: 'query i →', key: 'key j →', maxd: '±max_distance', lastFrom: (n) => `last bucket from ${n}`,
    maxdistHint: (min) => `Must exceed the exact buckets: at least ${min} with these buckets.`,
  },
  ja: {
    title: 'T5：距離のバケットごとに学習するスカラー',
    caption: [
      'T5（Raffel ほか 2020）は埋め込みに何も足しません。各ヘッドはクエリ i とキー j のアテンションのロジットに、' +
      '相対位置 j − i のバケットで引いた学習済みの数を 1 つ足します。小さな距離は距離ごとに 1 バケット、' +
      'max_distance（128）までは対数的に広がるバケット、それより遠い距離はすべて 1 つのバケットを共有します。',
      'エンコーダは双方向で、クエリより前のキーと後のキーは別のバケットです。デコーダはそうではなく、' +
      'クエリより後のキーはすべてバケット 0 に入ります（どのみち因果マスクで見えません）。',
    ],
    buckets: 'バケット数（num_buckets）', maxdist: 'max_distance', bidirectional: '双方向（エンコーダ）',
    range: '表示する距離 ±', length: 'バイアス行列の長さ',
    plot: '相対位置ごとのバケット',
    plotCap: (s, last) => `j − i が −${s.range} から ${s.range} までの pe.t5.bucket。点線は最後のバケットの始まり（|j − i| ≥ ${last}）です。` +
      `max_distance（${s.maxdist}、破線）はその位置ではありません。対数のバケットが最後の 1 つ先に届く距離で、切り捨てのため最後のバケットはそれより手前から始まります。`,
    bias: '1 ヘッドのバイアス行列', biasCap: 'デモ用の表で計算した pe.t5.bias。バケットごとの値は −1 から +1 の乱数です（説明用。学習済みモデルではこれを学習します）。同じ色は同じバケット。',
    rel: '相対位置 j − i', bucket: 'バケット', query: 'クエリ i →', key: 'キー j →', maxd: '±max_distance', lastFrom: (n) => `最後のバケット（${n} から）`,
    maxdistHint: (min) => `正確なバケットの範囲より大きくなければなりません。このバケット数では ${min} 以上。`,
  },
};

export function createT5(container, options) {
  return mountWidget(container, options, {
    id: 't5', schema, text: TEXT, embedHeight: 1150,
    setup(w) {
      const { t, pe } = w;
      const controls = {
        buckets: sliderField({ label: t.buckets, spec: schema.buckets, onChange: w.set('buckets') }),
        maxdist: sliderField({ label: t.maxdist, spec: schema.maxdist, scale: 'log', onChange: w.set('maxdist') }),
        bidirectional: checkboxField({ label: t.bidirectional, onChange: w.set('bidirectional') }),
        range: sliderField({ label: t.range, spec: schema.range, scale: 'log', onChange: w.set('range') }),
        length: sliderField({ label: t.length, spec: schema.length, onChange: w.set('length') }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));
      const lut = createLut();
      let data = null;
      const plot = w.figure({ name: 'buckets', label: t.plot, className: 'fig-wide', height: (width) => Math.min(340, Math.max(230, width * 0.42)),
        csv: () => ({ header: ['relative_position', 'bucket'], rows: Array.from(data.rel, (r, i) => [r, data.buckets[i]]) }) });
      const biasFig = w.figure({ name: 'bias', label: t.bias, caption: t.biasCap, className: 'fig-square', height: (width) => Math.min(width, 460) + 32,
        csv: () => ({ header: ['query', ...Array.from({ length: data.L }, (_, j) => `k${j}`)],
          rows: Array.from({ length: data.L }, (_, i) => [i, ...data.bias.subarray(i * data.L, (i + 1) * data.L)]) }) });

      const maxdistHint = h('small', { class: 'control-hint' });
      controls.maxdist.element.append(maxdistHint);

      function render(s) {
        // The package needs max_distance > max_exact (half of the buckets of one direction): a
        // smaller value from the slider or a link is raised to the smallest valid one, and shown so.
        const maxExact = Math.floor((s.bidirectional ? Math.floor(s.buckets / 2) : s.buckets) / 2);
        const maxdist = Math.max(s.maxdist, maxExact + 1);
        controls.maxdist.set(maxdist);
        maxdistHint.textContent = t.maxdistHint(maxExact + 1);
        const opts = { numBuckets: s.buckets, maxDistance: maxdist, bidirectional: s.bidirectional };
        const rel = Int32Array.from({ length: 2 * s.range + 1 }, (_, i) => i - s.range);
        const buckets = pe.t5.bucket(rel, opts);
        const table = uniform(s.buckets, 7919 + s.seed);
        const L = s.length;
        const bias = pe.t5.bias({ table, heads: 1, queries: L, ...opts });
        data = { rel, buckets, bias, L };
        // The bucket of every j − i the bias matrix holds, for its readout.
        const near = pe.t5.bucket(Int32Array.from({ length: 2 * L - 1 }, (_, i) => i - L + 1), opts);
        // Where the last bucket begins, read from the package's buckets
        // (keys before the query, j − i = −k, which both the encoder and the decoder bucket by distance).
        const probe = pe.t5.bucket(Int32Array.from({ length: maxdist + 1 }, (_, k) => -k), opts);
        const last = probe.indexOf(probe[maxdist]);
        plot.setCaption(t.plotCap({ ...s, maxdist }, last));
        plot.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 48, top: 10, right: 12, bottom: 40 });
          const map = axes(ctx, rect, { lo: -s.range, hi: s.range, label: t.rel }, { lo: 0, hi: s.buckets - 1, label: t.bucket }, colours);
          const marks = (x, colour, dash) => {
            for (const v of s.bidirectional ? [-x, x] : [-x]) {
              if (Math.abs(v) <= s.range) series(ctx, map, { xs: [v, v], ys: [0, s.buckets - 1], colour, dash, width: 1.5 }, rect);
            }
          };
          marks(maxdist, colours.series[1], [5, 4]);
          marks(last, colours.series[2], [1.5, 3]);
          series(ctx, map, { xs: Array.from(rel), ys: Array.from(buckets), colour: colours.series[0], step: true, width: 2, links: [{ ch: 'rel' }],
            readout: (i) => readoutText(ctx, [`j − i = ${rel[i]}`], `${t.bucket} ${buckets[i]}`) }, rect);
          legend(ctx, rect, [{ label: t.bucket, colour: colours.series[0] }, { label: t.lastFrom(last), colour: colours.series[2], dash: [1.5, 3] },
            { label: t.maxd, colour: colours.series[1], dash: [5, 4] }], colours, 'left');
        });
        biasFig.paint((ctx, { width, height, colours }) => {
          const side = Math.min(width - 56, height - 62);
          heatmap(ctx, { x: 46, y: 30, w: side, h: side }, { rows: L, cols: L, values: bias, lut, lo: -1, hi: 1, colours,
            xLabel: t.key, yLabel: t.query, links: [{ ch: 'rel', axis: 'cell' }],
            readout: (r, c) => readoutText(ctx, [`i = ${r}`, `j = ${c}`, `j − i = ${c - r}`, `${t.bucket} ${near[c - r + L - 1]}`], bias[r * L + c]) });
          ramp(ctx, 46, 30 + side + 6, Math.min(160, side), lut, ['−1', '0', '+1'], colours);
        });
      }
      return { controls, render };
    },
  });
}
