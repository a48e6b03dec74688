// SPDX-License-Identifier: MIT
// Widget 4: the sinusoidal table (pe.sinusoidal), the dot products of its rows
// (pe.analysis.similarity) and the wavelength of each sin/cos pair (pe.rope.frequencies with the same
// base: the vaswani frequencies are RoPE's default ones). CLAIMS 5 and 6.
import { createLut, VIRIDIS } from '../lib/colormap.js';
import { selectField, sliderField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { similarity } from '../lib/analysis.js';
import { axes, fmt, FONT, heatmap, inset, legend, ramp, readoutText, series } from '../lib/plot.js';
import { mountWidget } from '../lib/widget.js';

export const schema = Object.freeze({
  length: { type: 'int', default: 128, min: 1, max: 2048 },
  dim: { type: 'int', default: 128, min: 4, max: 1024, step: 2 },
  base: { type: 'number', default: 10000, min: 2, max: 1e6 },
  layout: { type: 'enum', default: 'vaswani', values: ['vaswani', 'fairseq'] },
});

const SIM_MAX = 256;  // rows of the similarity matrix drawn

const TEXT = {
  en: {
    title: 'Sinusoidal encoding: fixed waves',
    caption: [
      'Row p is the vector added to the token embedding at position p: PE(p, 2i) = sin(p / b^(2i/d)) and ' +
      'PE(p, 2i+1) = cos(p / b^(2i/d)). Nothing here is learned. Low dimensions oscillate fast, high ones slowly.',
      'A common explanation says these encodings break on long inputs because "the frequencies get too high as the ' +
      'sequence grows". They do not: each frequency depends only on the pair index i, the dimension d and the base b. ' +
      'Change the length and the wavelength curve stays where it is, between 2π and about 2π·b. Models trained with ' +
      'sinusoids still do badly beyond their training length, but the reason is empirical: they never saw the vectors ' +
      'of those positions (see the extrapolation section).',
    ],
    length: 'Length (positions)', dim: 'Dimension d', base: 'Base b', layout: 'Layout',
    layouts: { vaswani: 'vaswani (sin, cos interleaved)', fairseq: 'fairseq (all sines, then cosines)' },
    table: 'Position table', tableCap: (s) => `PE, ${s.length} positions (rows) × ${s.dim} dimensions (columns); blue −1, white 0, red +1.`,
    sim: 'Dot products PE(p)·PE(q)', simCap: (n, d) => `PE(p)·PE(q) for the first ${n} positions, from the smallest value (dark) to d/2 = ${d / 2}, the product of a row with itself (yellow). Each diagonal is constant: the product depends only on p − q.`,
    wave: 'Wavelength per pair', waveCap: (s) => `Wavelength 2π·b^(2i/d) of pair i (the vaswani frequencies, which are also RoPE's default ones), log scale, with the sequence length ${s.length} as a dashed line. Move the length: the curve does not change.`,
    dimension: 'dimension →', position: 'position →', pair: 'pair i', wavelength: 'wavelength (positions)',
    seqLen: 'sequence length', p: 'p ↓', q: 'position q →',
  },
  ja: {
    title: '正弦波エンコーディング：固定された波',
    caption: [
      '行 p は位置 p のトークン埋め込みに足されるベクトルです：PE(p, 2i) = sin(p / b^(2i/d))、PE(p, 2i+1) = cos(p / b^(2i/d))。' +
      '学習されるものはありません。低い次元ほど速く、高い次元ほどゆっくり振動します。',
      'よくある説明では「系列が長くなると周波数が高くなりすぎるので長い入力で破綻する」と言われますが、そうではありません。' +
      '各周波数はペアの番号 i、次元 d、底 b だけで決まります。長さを変えても波長の曲線は 2π から約 2π·b の間で動きません。' +
      '正弦波で学習したモデルが学習時より長い入力で性能を落とすのは事実ですが、その理由は経験的なもので、' +
      'その位置のベクトルを学習中に一度も見ていないからです（外挿の節を参照）。',
    ],
    length: '長さ（位置の数）', dim: '次元 d', base: '底 b', layout: 'レイアウト',
    layouts: { vaswani: 'vaswani（sin と cos が交互）', fairseq: 'fairseq（sin をすべて、次に cos）' },
    table: '位置の表', tableCap: (s) => `PE：${s.length} 位置（行）× ${s.dim} 次元（列）。青 −1、白 0、赤 +1。`,
    sim: '内積 PE(p)·PE(q)', simCap: (n, d) => `最初の ${n} 位置の PE(p)·PE(q)。最小値（暗い色）から、行と自身の内積 d/2 = ${d / 2}（黄色）まで。どの対角線上も同じ値で、内積は p − q だけで決まります。`,
    wave: 'ペアごとの波長', waveCap: (s) => `ペア i の波長 2π·b^(2i/d)（vaswani の周波数で、RoPE の既定の周波数と同じ）。対数目盛。破線は系列長 ${s.length}。長さを動かしても曲線は変わりません。`,
    dimension: '次元 →', position: '位置 →', pair: 'ペア i', wavelength: '波長（位置）',
    seqLen: '系列長', p: 'p ↓', q: '位置 q →',
  },
};

export function createSinusoidal(container, options) {
  return mountWidget(container, options, {
    id: 'sinusoidal', schema, text: TEXT, embedHeight: 1500,
    setup(w) {
      const { t, pe } = w;
      const controls = {
        length: sliderField({ label: t.length, spec: schema.length, onChange: w.set('length') }),
        dim: sliderField({ label: t.dim, spec: schema.dim, onChange: w.set('dim') }),
        base: sliderField({ label: t.base, spec: schema.base, scale: 'log', onChange: w.set('base') }),
        layout: selectField({ label: t.layout, choices: schema.layout.values.map((v) => ({ value: v, label: t.layouts[v] })), onChange: w.set('layout') }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));
      const diverging = createLut();
      const oneSided = createLut(VIRIDIS);
      let data = null;

      const table = w.figure({ name: 'table', label: t.table, className: 'fig-wide',
        height: (width) => Math.round(Math.min(520, Math.max(200, ((width - 60) * data.s.length) / data.s.dim)) + 60),
        csv: () => ({
          header: ['position', ...Array.from({ length: data.s.dim }, (_, c) => `d${c}`)],
          rows: Array.from({ length: data.s.length }, (_, r) => [r, ...data.table.subarray(r * data.s.dim, (r + 1) * data.s.dim)]),
        }) });
      const row = h('div', { class: 'fig-row' });
      w.body.append(row);
      const sim = w.figure({ name: 'similarity', label: t.sim, height: (width) => Math.min(width, 420) + 20,
        csv: () => ({
          header: ['p', ...Array.from({ length: data.n }, (_, c) => `q${c}`)],
          rows: Array.from({ length: data.n }, (_, r) => [r, ...data.sim.subarray(r * data.n, (r + 1) * data.n)]),
        }) }, row);
      const wave = w.figure({ name: 'wavelength', label: t.wave, height: (width) => Math.min(340, Math.max(240, width * 0.75)),
        csv: () => ({ header: ['pair', 'inverse_frequency', 'wavelength'], rows: Array.from(data.wl, (v, i) => [i, data.inv[i], v]) }) }, row);

      function render(s) {
        const values = pe.sinusoidal({ length: s.length, dim: s.dim, base: s.base, layout: s.layout });
        const n = Math.min(s.length, SIM_MAX);
        const simValues = similarity(pe, { table: values.subarray(0, n * s.dim), dim: s.dim, rows: n, metric: 'dot' });
        const f = pe.rope.frequencies({ head_dim: s.dim, rope_theta: s.base });
        const wl = pe.rope.wavelengths(f);
        data = { s, table: values, n, sim: simValues, wl, inv: f.invFreq };
        const key = JSON.stringify(s);
        // Linked readouts: positions (table rows, both axes of the products) and pairs (table columns, the wavelength plot).
        const pairOf = (c) => (s.layout === 'fairseq' ? c % (s.dim / 2) : Math.floor(c / 2));

        table.setCaption(t.tableCap(s));
        table.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 52, top: 34, right: 8, bottom: 26 });
          heatmap(ctx, rect, { rows: s.length, cols: s.dim, values, lut: diverging, lo: -1, hi: 1, colours,
            xLabel: t.dimension, yLabel: t.position, key: `t${key}`,
            links: [{ ch: 'pos', axis: 'row' }, { ch: 'pair', axis: 'col', key: pairOf }],
            readout: (r, c) => readoutText(ctx, [`PE(${r}, ${c})`, `${t.pair} = ${pairOf(c)}`], values[r * s.dim + c]) });
          ramp(ctx, rect.x, rect.y + rect.h + 6, Math.min(160, rect.w), diverging, ['−1', '0', '+1'], colours);
        });
        sim.setCaption(t.simCap(n, s.dim));
        // One-sided: from the smallest product to d/2 (the diagonal), no middle value singled out.
        const top = s.dim / 2;
        let low = top;
        for (const v of simValues) low = Math.min(low, v);
        sim.paint((ctx, { width, height, colours }) => {
          const side = Math.min(width - 52, height - 54);
          heatmap(ctx, { x: 44, y: 30, w: side, h: side }, { rows: n, cols: n, values: simValues, lut: oneSided,
            lo: low, hi: top, colours, xLabel: t.q, key: `s${key}`, links: [{ ch: 'pos', axis: 'row' }, { ch: 'pos', axis: 'col' }],
            readout: (r, c) => readoutText(ctx, [`PE(${r})·PE(${c})`, `p − q = ${r - c}`], simValues[r * n + c]) });
          // The row title upright in the corner: turned sideways, "p →" was read as "← d".
          ctx.font = FONT;
          ctx.fillStyle = colours.ink;
          ctx.textAlign = 'left';
          ctx.textBaseline = 'top';
          ctx.fillText(t.p, 4, 2);
          ramp(ctx, 44, 34 + side, Math.min(150, side), oneSided, [fmt(low), fmt(top)], colours);
        });
        wave.setCaption(t.waveCap(s));
        wave.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 60, top: 12, right: 12, bottom: 40 });
          const lo = 1;
          const hi = Math.max(2 * Math.PI * s.base * 1.5, s.length * 2);
          const map = axes(ctx, rect, { lo: 0, hi: Math.max(1, wl.length - 1), label: t.pair },
            { lo, hi, log: true, label: t.wavelength }, colours);
          series(ctx, map, { xs: [0, wl.length - 1], ys: [s.length, s.length], colour: colours.series[1], dash: [6, 4], width: 1.5 }, rect);
          series(ctx, map, { xs: Array.from(wl, (_, i) => i), ys: wl, colour: colours.series[0], points: wl.length <= 64,
            readout: true, links: [{ ch: 'pair' }] }, rect);
          legend(ctx, rect, [{ label: t.wavelength, colour: colours.series[0] },
            { label: `${t.seqLen} = ${s.length}`, colour: colours.series[1], dash: [6, 4] }], colours, 'left');
        });
      }
      return { controls, render };
    },
  });
}
