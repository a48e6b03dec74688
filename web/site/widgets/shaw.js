// SPDX-License-Identifier: MIT
// Widget 5: Shaw et al. relative positions. The clipped relative index matrix for a chosen k
// (pe.shaw.indices): every distance beyond k uses the same table row. CLAIMS 7.
import { sliderField } from '../lib/controls.js';
import { createLut } from '../lib/colormap.js';
import { shaw } from '../lib/analysis.js';
import { heatmap, ramp, readoutText } from '../lib/plot.js';
import { mountWidget } from '../lib/widget.js';

export const schema = Object.freeze({
  k: { type: 'int', default: 3, min: 0, max: 32 },
  length: { type: 'int', default: 12, min: 2, max: 48 },
});

const TEXT = {
  en: {
    title: 'Shaw et al.: relative distances, clipped',
    caption: [
      'Relative position representations (Shaw, Uszkoreit and Vaswani 2018) learn one vector per relative distance j − i, ' +
      'added inside attention to the keys (and to the values). Distances are clipped to [−k, k], so the table has 2k + 1 ' +
      'rows and every distance beyond k shares the edge row.',
      'That is why the method accepts any length: a longer input brings no distance the model has no vector for. ' +
      '(Accepting any length is not the same as doing well at it.)',
    ],
    k: 'Clipping distance k', length: 'Length',
    fig: 'Relative index matrix', figCap: (k) => `Cell (i, j): clip(j − i, −${k}, ${k}), the table row used is that plus ${k} (pe.shaw.indices). Only ${2 * k + 1} different values, whatever the length.`,
    query: 'query i →', key: 'key j →', clipped: 'clipped to',
  },
  ja: {
    title: 'Shaw ほか：クリップした相対距離',
    caption: [
      '相対位置表現（Shaw、Uszkoreit、Vaswani 2018）は相対距離 j − i ごとに 1 つのベクトルを学習し、アテンションの中でキー（と値）に足します。' +
      '距離は [−k, k] にクリップされるので表は 2k + 1 行で、k より遠い距離はすべて端の行を共有します。',
      'そのため、この方式はどんな長さでも受け付けます。長い入力でも、ベクトルのない距離は現れません。' +
      '（どんな長さでも受け付けることと、その長さでうまく動くことは別の話です。）',
    ],
    k: 'クリップ距離 k', length: '長さ',
    fig: '相対インデックス行列', figCap: (k) => `セル (i, j)：clip(j − i, −${k}, ${k})。使う表の行はこれに ${k} を足したもの（pe.shaw.indices）。長さによらず値は ${2 * k + 1} 種類だけです。`,
    query: 'クエリ i →', key: 'キー j →', clipped: 'クリップ後',
  },
};

export function createShaw(container, options) {
  return mountWidget(container, options, {
    id: 'shaw', schema, text: TEXT, embedHeight: 900,
    setup(w) {
      const { t, pe } = w;
      const controls = {
        k: sliderField({ label: t.k, spec: schema.k, onChange: w.set('k') }),
        length: sliderField({ label: t.length, spec: schema.length, onChange: w.set('length') }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));
      const lut = createLut();
      let data = null;
      const fig = w.figure({ name: 'indices', label: t.fig, className: 'fig-square', height: (width) => Math.min(width - 56, 480) + 70,
        csv: () => ({ header: ['query', ...Array.from({ length: data.L }, (_, j) => `k${j}`)],
          rows: Array.from({ length: data.L }, (_, i) => [i, ...Array.from(data.idx.subarray(i * data.L, (i + 1) * data.L), (x) => x - data.k)]) }) });

      function render(s) {
        const idx = shaw(pe).indices({ queries: s.length, keys: s.length, maxDistance: s.k });
        const L = s.length;
        data = { idx, L, k: s.k };
        const values = Float32Array.from(idx);
        fig.setCaption(t.figCap(s.k));
        fig.paint((ctx, { width, height, colours }) => {
          const side = height - 70;
          heatmap(ctx, { x: 46, y: 30, w: side, h: side }, { rows: L, cols: L, values, lut, lo: 0, hi: Math.max(1, 2 * s.k), colours,
            xLabel: t.key, yLabel: t.query, cellText: (r, c) => String(idx[r * L + c] - s.k).replace('-', '−'),
            readout: (r, c) => readoutText(ctx, [`i = ${r}`, `j = ${c}`, `j − i = ${c - r}`], `${t.clipped} ${idx[r * L + c] - s.k}`) });
          ramp(ctx, 46, 36 + side, Math.min(150, side), lut, [`−${s.k}`, '0', `+${s.k}`], colours);
        });
      }
      return { controls, render };
    },
  });
}
