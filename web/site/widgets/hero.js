// SPDX-License-Identifier: MIT
// The first screen: the article's running sentence and a shuffle of it, attended over by pe.attention
// (q = k = v = illustrative word vectors, one head) with no positions, sinusoidal, RoPE or ALiBi.
// Without positions each word keeps its attention and its output wherever it stands, so the pooled
// output (the mean over the words) is the same; with positions it changes. The bars give that
// change for all four methods at once. CLAIMS 2, at a glance.
import { createLut, VIRIDIS } from '../lib/colormap.js';
import { h } from '../lib/dom.js';
import { axes, fmt, FONT, heatmap, inset, mark, readoutText } from '../lib/plot.js';
import { hashString, shuffled } from '../lib/random.js';
import { embed, METHODS, orderOf, permuteRows, positionOf, SENTENCE, sentenceWords } from '../lib/sentence.js';
import { mountWidget } from '../lib/widget.js';

const DIM = 16;
const MAX_WORDS = 8;
const SAME = 1e-5;  // float32 rounding of a mean of a few numbers in [-1, 1] stays far below this

export const schema = Object.freeze({
  sentence: { type: 'string', default: SENTENCE, maxLength: 80 },
  order: { type: 'string', default: '5,2,0,4,1,3', maxLength: 30 },
  method: { type: 'enum', default: 'none', values: METHODS },
});

const TEXT = {
  en: {
    title: 'Shuffle a sentence: does attention notice?',
    caption: 'Attention compares words, not places. Without positions, a shuffled sentence gives the same pooled output; with positions, it does not.',
    method: 'Positions', methodLabel: 'Positions:', shuffle: 'Shuffle the words', reset: 'Original order',
    methods: { none: 'none', sinusoidal: 'sinusoidal', rope: 'RoPE', alibi: 'ALiBi' },
    fig: 'Attention weights of the sentence and of its shuffle, and how much the pooled output moved for each method',
    figCap: 'Rows: each word attends to the columns (weights, dark 0, yellow the largest). Below each: the pooled output (mean of the outputs, 16 numbers). Bars: the largest change of the pooled output after the shuffle, per method. Computed now by pe.attention on illustrative word vectors. ALiBi has one head here, and by its rule the slope of a single head is 2^−8, the smallest of any head, so its change is small; with eight heads the first has slope 1/2 (the ALiBi widget shows every head).',
    pooled: 'pooled output', mean: 'mean', change: 'Change of the pooled output after the shuffle', dim: 'dimension',
    same: (m, e) => `${m}: the pooled output is unchanged (difference ${fmt(e)}: float32 rounding). Each word kept its attention, only reordered.`,
    changed: (m, e) => `${m}: the pooled output changed by up to ${fmt(e)}. With positions, attention sees the order.`,
    identity: 'The order is the original one: press Shuffle.',
    none: 'no positions',
  },
  ja: {
    title: '文をシャッフルすると、アテンションは気づくか',
    caption: 'アテンションが比べるのは単語どうしで、場所ではありません。位置がなければ、文をシャッフルしてもプーリングした出力は同じです。位置があると変わります。',
    method: '位置', methodLabel: '位置：', shuffle: '単語をシャッフル', reset: '元の順序',
    methods: { none: 'なし', sinusoidal: '正弦波', rope: 'RoPE', alibi: 'ALiBi' },
    fig: '文とそのシャッフルのアテンションの重み、および方式ごとのプーリング出力の変化',
    figCap: '行：各単語が列の単語に向けるアテンションの重み（暗い色が 0、黄色が最大）。その下：プーリングした出力（出力の平均、16 個の数）。棒：シャッフル後のプーリング出力の変化の最大値（方式ごと）。説明用の単語ベクトルに対して pe.attention がいま計算した値です。ここでは ALiBi のヘッドは 1 つで、その規則では 1 ヘッドの傾きは 2^−8 とどのヘッドよりも小さいため、変化は小さくなります。8 ヘッドなら最初のヘッドの傾きは 1/2 です（ALiBi のウィジェットで全ヘッドを見られます）。',
    pooled: 'プーリングした出力', mean: '平均', change: 'シャッフル後のプーリング出力の変化', dim: '次元',
    same: (m, e) => `${m}：プーリングした出力は変わりません（差 ${fmt(e)} は float32 の丸め誤差）。各単語のアテンションは並べ替えられただけです。`,
    changed: (m, e) => `${m}：プーリングした出力が最大 ${fmt(e)} 変わりました。位置があると、アテンションは語順を見分けます。`,
    identity: '元の順序のままです。「単語をシャッフル」を押してください。',
    none: '位置なし',
  },
};

/** pe.attention over the words in `perm` order: the weights (when asked) and the mean of the outputs. */
function attend(pe, x, perm, method, weights) {
  const n = perm.length;
  const r = pe.attention({ q: x, k: x, v: x, shape: [n, 1, DIM], position: positionOf(pe, method, DIM), returnWeights: weights });
  const pooled = new Float32Array(DIM);
  for (let i = 0; i < n; i++) for (let c = 0; c < DIM; c++) pooled[c] += r.output[i * DIM + c] / n;
  return { weights: r.weights, pooled };
}

export function createHero(container, options) {
  return mountWidget(container, options, {
    id: 'hero', schema, text: TEXT, embedHeight: 760,
    setup(w) {
      const { t, pe } = w;
      const buttons = METHODS.map((m) => {
        const b = h('button', { type: 'button', class: 'button', 'aria-pressed': 'false', dataset: { method: m } }, t.methods[m]);
        b.addEventListener('click', () => w.change({ method: m }));
        return b;
      });
      let shuffles = 0;
      let data = null;
      const shuffleButton = h('button', { type: 'button', class: 'button primary' }, t.shuffle);
      const resetButton = h('button', { type: 'button', class: 'button' }, t.reset);
      shuffleButton.addEventListener('click', () => {
        shuffles += 1;
        w.change({ order: shuffled(data.n, hashString(`${data.s.sentence}|${data.s.order}|${shuffles}`)).join(',') });
      });
      resetButton.addEventListener('click', () => w.change({ order: data.perm.map((_, i) => i).join(',') }));
      w.controls.append(h('div', { class: 'toolbar' }, shuffleButton, resetButton),
        h('div', { class: 'segmented', role: 'group', 'aria-label': t.method }, h('span', { class: 'label' }, t.methodLabel), ...buttons));
      const verdict = h('p', { class: 'big-number verdict', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
      const weightsLut = createLut(VIRIDIS);
      const outLut = createLut();
      const wide = (width) => width >= 600;
      const fig = w.figure({ name: 'shuffle', label: t.fig, caption: t.figCap, className: 'fig-wide',
        height: (width) => {
          const side = wide(width) ? Math.min(200, (width - 316) / 2) : (width - 106) / 2;
          return side + 100 + (wide(width) ? 0 : 150);
        },
        csv: () => ({ header: ['method', 'pooled_change'], rows: METHODS.map((m, i) => [m, data.deltas[i]]) }) });
      w.body.prepend(verdict);

      function render(s) {
        const { list } = sentenceWords(s.sentence, MAX_WORDS);
        const n = list.length;
        const perm = orderOf(s.order, n);
        const x = embed(list, DIM);
        const xp = permuteRows(x, perm, DIM);
        let shown = null;
        const deltas = METHODS.map((m) => {
          const a = attend(pe, x, perm.map((_, i) => i), m, m === s.method);
          const b = attend(pe, xp, perm, m, m === s.method);
          if (m === s.method) shown = { a, b };
          return Math.max(...a.pooled.map((v, c) => Math.abs(v - b.pooled[c])));
        });
        data = { s, n, perm, deltas };
        for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.method === s.method));
        const k = METHODS.indexOf(s.method);
        const name = s.method === 'none' ? t.none : t.methods[s.method];
        const identity = perm.every((v, i) => v === i);
        verdict.textContent = identity ? t.identity : deltas[k] < SAME ? t.same(name, deltas[k]) : t.changed(name, deltas[k]);
        verdict.dataset.delta = String(deltas[k]);
        verdict.dataset.same = String(deltas[k] < SAME);
        let top = 0;
        for (const v of [...shown.a.weights, ...shown.b.weights]) top = Math.max(top, v);
        const words = perm.map((j) => list[j]);
        fig.paint((ctx, { width, height, colours }) => {
          const isWide = wide(width);
          const side = isWide ? Math.min(200, (width - 316) / 2) : (width - 106) / 2;
          const left = 52;
          const gap = isWide ? 58 : 46;
          const y = 52;
          const panels = [[list, shown.a, (r, c) => r * n + c], [words, shown.b, (r, c) => perm[r] * n + perm[c]]];
          panels.forEach(([labels, r, key], p) => {
            const x0 = left + p * (side + gap);
            ctx.font = FONT;
            ctx.fillStyle = colours.ink;
            ctx.textAlign = 'left';
            ctx.textBaseline = 'top';
            ctx.fillText(labels.join(' '), x0 - left + 4, 2, side + left - 4);
            heatmap(ctx, { x: x0, y, w: side, h: side }, { rows: n, cols: n, values: r.weights, lut: weightsLut, lo: 0, hi: top || 1, colours,
              rowLabels: labels, colLabels: labels, rotateColLabels: true, links: [{ ch: 'pair', axis: 'cell', key }],
              readout: (row, col) => readoutText(ctx, [`${labels[row]} → ${labels[col]}`], r.weights[row * n + col]) });
            heatmap(ctx, { x: x0, y: y + side + 10, w: side, h: 16 }, { rows: 1, cols: DIM, values: r.pooled, lut: outLut, colours,
              rowLabels: [t.mean], colTicks: [], links: [{ ch: 'dim', axis: 'col' }],
              readout: (_, c) => readoutText(ctx, [t.pooled, `${t.dim} ${c}`], r.pooled[c]) });
          });
          // The change of the pooled output, every method.
          const rect = isWide ? inset(width, height, { left: left + 2 * side + gap + 48, top: y, right: 10, bottom: height - y - side })
            : { x: 48, y: y + side + 66, w: width - 58, h: 90 };
          const hi = Math.max(...deltas) * 1.3 || 1;
          const map = axes(ctx, rect, { lo: -0.5, hi: METHODS.length - 0.5, ticks: [] }, { lo: 0, hi }, colours);
          ctx.fillStyle = colours.ink;
          ctx.textAlign = 'left';
          ctx.textBaseline = 'bottom';
          ctx.fillText(t.change, rect.x, rect.y - 6);
          const bw = (rect.w / METHODS.length) * 0.6;
          const pts = [];
          deltas.forEach((d, i) => {
            const X = map.px(i);
            const Y = map.py(d);
            ctx.fillStyle = i === k ? colours.series[1] : colours.series[0];
            ctx.fillRect(X - bw / 2, Y, bw, rect.y + rect.h - Y);
            ctx.fillStyle = colours.ink;
            ctx.textAlign = 'center';
            ctx.textBaseline = 'bottom';
            ctx.fillText(d < SAME ? '0' : fmt(d, 2), X, Y - 2);
            ctx.textBaseline = 'top';
            ctx.fillText(t.methods[METHODS[i]], X, rect.y + rect.h + 4, rect.w / METHODS.length);
            pts.push([X, Y]);
          });
          mark(ctx, { kind: 'points', rect, pts, text: (i) => readoutText(ctx, [t.methods[METHODS[i]], t.change], deltas[i]) });
        });
      }
      return { render };
    },
  });
}
