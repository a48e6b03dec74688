// SPDX-License-Identifier: MIT
// Widget 9: ALiBi. The slope of every head for any head count (pe.alibi.slopes) and the bias one
// head adds to the attention logits (pe.alibi.bias), causal or symmetric. CLAIMS 12 and 9.
import { checkboxField, sliderField } from '../lib/controls.js';
import { createLut, VIRIDIS } from '../lib/colormap.js';
import { h } from '../lib/dom.js';
import { axes, fmt, heatmap, inset, mark, ramp, readoutText } from '../lib/plot.js';
import { mountWidget } from '../lib/widget.js';

export const schema = Object.freeze({
  heads: { type: 'int', default: 8, min: 1, max: 64 },
  head: { type: 'int', default: 0, min: 0, max: 63 },
  length: { type: 'int', default: 12, min: 2, max: 128 },
  causal: { type: 'bool', default: true },
});

const TEXT = {
  en: {
    title: 'ALiBi: a penalty on the logits, linear in distance',
    caption: [
      'ALiBi (Press et al. 2022) adds nothing to the token embeddings and does not touch q or k. It adds −m·(i − j) ' +
      'to the attention logit of query i and key j: the further back the key, the larger the penalty, with a fixed ' +
      'slope m per head (nothing is learned). BLOOM and MPT use it.',
      'For n heads the slopes are the geometric sequence 2^(−8h/n), h = 1 … n. When n is not a power of two, the ' +
      'slopes of the largest power of two below n come first, followed by every other slope of twice that many heads.',
      'Causal (decoders): keys after the query are masked. Symmetric (encoders): −m·|i − j| on both sides.',
    ],
    heads: 'Heads n', head: 'Head shown', length: 'Length', causal: 'Causal (mask future keys)',
    slopes: 'Slope per head', slopesCap: (n) => `m_h for ${n} heads (pe.alibi.slopes), log scale.`,
    bias: 'Bias added to the logits', biasCap: (h, m, c) => `Head ${h}, slope m = ${fmt(m, 4)}: ${c ? '−m·(i − j) for j ≤ i; grey cells are masked (−∞)' : '−m·|i − j|, no mask'}. Rows: query i, columns: key j.`,
    headAxis: 'head h', slopeAxis: 'slope m', query: 'query i →', key: 'key j →',
  },
  ja: {
    title: 'ALiBi：距離に比例するロジットへのペナルティ',
    caption: [
      'ALiBi（Press ほか 2022）はトークン埋め込みに何も足さず、q や k にも触れません。クエリ i とキー j のアテンションのロジットに ' +
      '−m·(i − j) を足します。キーが遠いほどペナルティが大きく、傾き m はヘッドごとに固定です（学習しません）。BLOOM や MPT が使っています。',
      'n ヘッドの傾きは等比数列 2^(−8h/n)（h = 1 … n）です。n が 2 のべき乗でないときは、n 以下で最大の 2 のべき乗の傾きを先に並べ、' +
      'そのあとにその 2 倍のヘッド数の傾きを 1 つおきに並べます。',
      '因果的（デコーダ）：クエリより後のキーはマスクします。対称（エンコーダ）：両側に −m·|i − j|。',
    ],
    heads: 'ヘッド数 n', head: '表示するヘッド', length: '長さ', causal: '因果マスク（未来のキーを隠す）',
    slopes: 'ヘッドごとの傾き', slopesCap: (n) => `${n} ヘッドの m_h（pe.alibi.slopes）。対数目盛。`,
    bias: 'ロジットに足すバイアス', biasCap: (h, m, c) => `ヘッド ${h}、傾き m = ${fmt(m, 4)}：${c ? 'j ≤ i で −m·(i − j)。灰色はマスク（−∞）' : '−m·|i − j|、マスクなし'}。行：クエリ i、列：キー j。`,
    headAxis: 'ヘッド h', slopeAxis: '傾き m', query: 'クエリ i →', key: 'キー j →',
  },
};

export function createAlibi(container, options) {
  return mountWidget(container, options, {
    id: 'alibi', schema, text: TEXT, embedHeight: 1100,
    setup(w) {
      const { t, pe } = w;
      const controls = {
        heads: sliderField({ label: t.heads, spec: schema.heads, onChange: w.set('heads') }),
        // Heads are counted h = 1 … n as in the formula; the setting stays the index h − 1.
        head: sliderField({ label: t.head, spec: { ...schema.head, min: 1, max: 64, default: 1 }, onChange: (v) => w.change({ head: v - 1 }) }),
        length: sliderField({ label: t.length, spec: schema.length, onChange: w.set('length') }),
        causal: checkboxField({ label: t.causal, onChange: w.set('causal') }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));
      const row = h('div', { class: 'fig-row' });
      w.body.append(row);
      const lut = createLut(VIRIDIS);
      let data = null;
      const slopesFig = w.figure({ name: 'slopes', label: t.slopes, height: (width) => Math.min(320, Math.max(220, width * 0.7)),
        csv: () => ({ header: ['head', 'slope'], rows: Array.from(data.slopes, (m, i) => [i + 1, m]) }) }, row);
      const biasFig = w.figure({ name: 'bias', label: t.bias, height: (width) => Math.min(width, 420) + 30,
        csv: () => ({ header: ['query', ...Array.from({ length: data.L }, (_, j) => `k${j}`)],
          rows: Array.from({ length: data.L }, (_, i) => [i, ...data.bias.subarray(i * data.L, (i + 1) * data.L)]) }) }, row);

      function render(s) {
        const head = Math.min(s.head, s.heads - 1);
        controls.head.element.querySelectorAll('input').forEach((el) => { el.max = String(s.heads); });
        controls.head.set(head + 1);
        const slopes = pe.alibi.slopes(s.heads);
        const all = pe.alibi.bias({ heads: s.heads, queries: s.length, causal: s.causal });
        const L = s.length;
        const bias = all.subarray(head * L * L, (head + 1) * L * L);
        data = { slopes, bias, L };
        slopesFig.setCaption(t.slopesCap(s.heads));
        slopesFig.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 56, top: 12, right: 12, bottom: 40 });
          let lo = Infinity;
          for (const m of slopes) lo = Math.min(lo, m);
          const map = axes(ctx, rect, { lo: 0.5, hi: s.heads + 0.5, label: t.headAxis,
            ticks: s.heads <= 16 ? Array.from(slopes, (_, i) => i + 1) : undefined, format: (v) => String(v) },
            { lo: Math.min(lo, 2 ** -9), hi: 1, log: true, label: t.slopeAxis }, colours);
          const bw = Math.max(1, (rect.w / s.heads) * 0.7);
          slopes.forEach((m, i) => {
            ctx.fillStyle = i === head ? colours.series[1] : colours.series[0];
            const x = map.px(i + 1) - bw / 2;
            const y = map.py(m);
            ctx.fillRect(x, y, bw, rect.y + rect.h - y);
          });
          mark(ctx, { kind: 'points', rect, pts: Array.from(slopes, (m, i) => [map.px(i + 1), map.py(m)]),
            text: (i) => readoutText(ctx, [`h = ${i + 1}`], `m = ${fmt(slopes[i], 4)}`) });
        });
        let lo = 0;
        for (const v of bias) if (Number.isFinite(v)) lo = Math.min(lo, v);
        biasFig.setCaption(t.biasCap(head + 1, slopes[head], s.causal));
        biasFig.paint((ctx, { width, height, colours }) => {
          const side = Math.min(width - 56, height - 58);
          const rect = { x: 46, y: 30, w: side, h: side };
          heatmap(ctx, rect, { rows: L, cols: L, values: bias, lut, lo, hi: 0, colours, xLabel: t.key, yLabel: t.query,
            cellText: (r, c) => (Number.isFinite(bias[r * L + c]) ? fmt(bias[r * L + c], 2) : null) });
          ramp(ctx, rect.x, rect.y + rect.h + 6, Math.min(160, side), lut, [fmt(lo, 3), '0'], colours);
        });
      }
      return { controls, render };
    },
  });
}
