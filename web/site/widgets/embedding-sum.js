// SPDX-License-Identifier: MIT
// Widget 1: token embedding + position embedding = input embedding, for the words of a sentence.
// Token embeddings are illustrative pseudo-random vectors seeded by each word; the positions come
// from pe.sinusoidal. CLAIMS 1.
import { sliderField, textField } from '../lib/controls.js';
import { createLut } from '../lib/colormap.js';
import { FONT, fmt, heatmap, ramp, readoutText } from '../lib/plot.js';
import { wordVector, words } from '../lib/random.js';
import { SENTENCE } from '../lib/sentence.js';
import { mountWidget } from '../lib/widget.js';

const MAX_WORDS = 12;

export const schema = Object.freeze({
  sentence: { type: 'string', default: SENTENCE, maxLength: 120 },
  dim: { type: 'int', default: 32, min: 4, max: 128, step: 2 },
  base: { type: 'number', default: 10000, min: 2, max: 1e6 },
});

const TEXT = {
  en: {
    title: 'Token embedding + position embedding = input',
    caption: [
      'In the original Transformer (Vaswani et al. 2017) a sinusoidal position vector is added to each token embedding, at ' +
      'the bottom of both the encoder and the decoder stacks (the token embeddings are first multiplied by √d). The sum is ' +
      'all the first layer sees: the same word at two positions gives two different inputs.',
      'The token embeddings here are illustrative: pseudo-random vectors seeded by the word, not a trained model\'s. ' +
      'The position vectors are the real sinusoidal ones (pe.sinusoidal).',
    ],
    sentence: `Sentence (up to ${MAX_WORDS} words)`, dim: 'Dimension d', base: 'Base b',
    fig: 'Embeddings of the sentence', figCap: (n, d) => `${n} words × ${d} dimensions; blue −1, white 0, red +1 (the sum is clamped to the same scale).`,
    token: 'token (illustrative)', position: 'position (sinusoidal)', sum: 'input = sum',
  },
  ja: {
    title: 'トークン埋め込み + 位置埋め込み = 入力',
    caption: [
      '元の Transformer（Vaswani ほか 2017）では、エンコーダとデコーダの両方の最下層で、各トークン埋め込みに正弦波の位置ベクトルを足します' +
      '（トークン埋め込みは先に √d 倍します）。最初の層が見るのはこの和だけなので、同じ単語でも位置が違えば入力は別のものになります。',
      'ここでのトークン埋め込みは説明用で、単語から作ったシード付きの疑似乱数ベクトルです（学習済みモデルのものではありません）。' +
      '位置ベクトルは本物の正弦波（pe.sinusoidal）です。',
    ],
    sentence: `文（${MAX_WORDS} 単語まで）`, dim: '次元 d', base: '底 b',
    fig: '文の埋め込み', figCap: (n, d) => `${n} 単語 × ${d} 次元。青 −1、白 0、赤 +1（和も同じ目盛りで、範囲外は端の色）。`,
    token: 'トークン（説明用）', position: '位置（正弦波）', sum: '入力 = 和',
  },
};

export function createEmbeddingSum(container, options) {
  return mountWidget(container, options, {
    id: 'embedding', schema, text: TEXT, embedHeight: 760,
    setup(w) {
      const { t, pe } = w;
      const controls = {
        sentence: textField({ label: t.sentence, maxLength: schema.sentence.maxLength, onChange: w.set('sentence') }),
        dim: sliderField({ label: t.dim, spec: schema.dim, onChange: w.set('dim') }),
        base: sliderField({ label: t.base, spec: schema.base, scale: 'log', onChange: w.set('base') }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));
      const lut = createLut();
      let data = null;
      const stacked = (width) => width < 620;
      const fig = w.figure({ name: 'sum', label: t.fig, className: 'fig-wide',
        height: (width) => {
          const rows = data?.n ?? 6;
          const ch = 22;
          return stacked(width) ? 3 * (rows * ch + 34) + 30 : rows * ch + 70;
        },
        csv: () => ({ header: ['word', 'position', 'part', ...Array.from({ length: data.d }, (_, c) => `d${c}`)],
          rows: data.list.flatMap((word, i) => [
            [word, i, 'token', ...data.tok.subarray(i * data.d, (i + 1) * data.d)],
            [word, i, 'position', ...data.pos.subarray(i * data.d, (i + 1) * data.d)],
            [word, i, 'sum', ...data.sum.subarray(i * data.d, (i + 1) * data.d)]]) }) });

      function render(s) {
        let list = words(s.sentence, MAX_WORDS);
        if (list.length === 0) list = words(schema.sentence.default);
        const n = list.length;
        const d = s.dim;
        const tok = new Float32Array(n * d);
        list.forEach((word, i) => tok.set(wordVector(word.toLowerCase(), d), i * d));
        const pos = pe.sinusoidal({ length: n, dim: d, base: s.base });
        const sum = new Float32Array(n * d);
        for (let i = 0; i < sum.length; i++) sum[i] = tok[i] + pos[i];
        data = { list, n, d, tok, pos, sum };
        fig.setCaption(t.figCap(n, d));
        fig.paint((ctx, { width, colours }) => {
          const ch = 22;
          const labels = list.map((word, i) => `${i}: ${word}`);
          const blocks = [[t.token, tok], [t.position, pos], [t.sum, sum]];
          // Every block reads out the whole sum at its cell, and the same cell is outlined in the others.
          const cell = { links: [{ ch: 'cell', axis: 'cell', key: (r, c) => r * d + c }],
            readout: (r, c) => readoutText(ctx, [labels[r], `d${c}`], `${fmt(tok[r * d + c])} + ${fmt(pos[r * d + c])} = ${fmt(sum[r * d + c])}`) };
          if (stacked(width)) {
            const left = 86;
            const bw = width - left - 10;
            blocks.forEach(([title, values], b) => {
              const y = 24 + b * (n * ch + 34);
              heatmap(ctx, { x: left, y, w: bw, h: n * ch }, { rows: n, cols: d, values, lut, colours, rowLabels: labels, colTicks: [], ...cell });
              ctx.fillStyle = colours.ink;
              ctx.font = FONT;
              ctx.textAlign = 'left';
              ctx.textBaseline = 'bottom';
              ctx.fillText(`${b === 1 ? '+ ' : b === 2 ? '= ' : ''}${title}`, left, y - 4);
            });
            ramp(ctx, left, 24 + 3 * (n * ch + 34) - 20, 150, lut, ['−1', '0', '+1'], colours);
          } else {
            const left = 86;
            const op = 26;
            const bw = (width - left - 2 * op - 10) / 3;
            blocks.forEach(([title, values], b) => {
              const x = left + b * (bw + op);
              heatmap(ctx, { x, y: 26, w: bw, h: n * ch }, { rows: n, cols: d, values, lut, colours,
                rowLabels: b === 0 ? labels : list.map(() => ''), colTicks: [], ...cell });
              ctx.fillStyle = colours.ink;
              ctx.font = FONT;
              ctx.textAlign = 'left';
              ctx.textBaseline = 'top';
              ctx.fillText(title, x, 4);
              if (b > 0) {
                ctx.font = '20px system-ui, sans-serif';
                ctx.textAlign = 'center';
                ctx.textBaseline = 'middle';
                ctx.fillText(b === 1 ? '+' : '=', x - op / 2, 26 + (n * ch) / 2);
              }
            });
            ramp(ctx, left, 26 + n * ch + 10, 150, lut, ['−1', '0', '+1'], colours);
          }
        });
      }
      return { controls, render };
    },
  });
}
