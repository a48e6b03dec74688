// SPDX-License-Identifier: MIT
// The "does the model use the long context?" panel of the train-short-test-long widget (claim 13),
// imported by extrapolation.js only after a run that measured it (lib/lm-context.js, in the
// workers), so it costs nothing before. Two tables from the reader's run: per trained model, the
// perplexity gain from the context beyond L = 64 at each length (the same windows scored with every
// layer's attention cut to the last 64 tokens, minus the full-context perplexity), and the share of
// attention each layer's heads put beyond distances 16, 64 and 256 at the longest length it reads.
// Both are also plotted: the gain against the evaluation length, and each model's attention share
// (the mean over its layers and heads) against the distance. With the equal-compute model
// (sinusoidal at 2L = 128, batch 4: the same tokens) and ALiBi in the run, a third table compares
// them: perplexity at 128, 256 and 1024, training time, memory per step.
import { h } from '../lib/dom.js';
import { createFigure } from '../lib/figure.js';
import { axes, legend, series } from '../lib/plot.js';

const TEXT = {
  en: {
    title: 'Does the model use the long context? (your run)',
    gainCap: 'Gain from the context beyond 64 tokens: perplexity with every layer\'s attention cut to the last 64 tokens, minus ' +
      'the full-context perplexity of the same windows and tokens (the first quarter of each length\'s evaluation windows). About 0: the model ignores what lies further back; below 0: the ' +
      'extra context hurts (positions it never trained on). With two ' +
      'layers the cut still lets information travel up to 127 tokens back.',
    shareCap: (L) => `Share of attention beyond distance d in one window of ${L} tokens (mean over its queries), per layer: the mean over its ` +
      'heads and, in brackets, its most far-looking head. The learned table is read at 64 tokens only.',
    method: 'method', layer: (l) => `layer ${l}`, beyond: (d) => `beyond ${d}`,
    plot: 'The gain from the context beyond 64 tokens against the evaluation length, and the share of attention beyond distance d',
    plotCap: 'Left: the gain of the table above (perplexity cut to 64 minus full; 0 dashed). Right: each model\'s share of attention ' +
      'beyond d, the mean over its layers and heads.',
    gainAxis: 'cut − full perplexity', lengthAxis: 'evaluation length', shareAxis: 'attention beyond d', distanceAxis: 'distance d',
    note: 'A flat perplexity curve with a gain near 0 and almost no attention past 64 tokens is stable, not long-context: the model reads ' +
      'longer windows without using them.',
    equalTitle: 'Equal compute: ALiBi at L = 64 against sinusoidal at 2L = 128 (your run)',
    equalCap: 'Both see the same tokens (8 × 64 = 4 × 128 per step, the same steps). Memory: the bytes a training step works in ' +
      '(gradients and activations; pe.lm trainer.memory). The paper (CC100 + RoBERTa, 1.3B parameters) found ALiBi at L matching ' +
      'sinusoidal at 2L with 11% less time and memory.',
    equalHead: ['method', 'perplexity at 128', 'at 256', 'at 1024', 'training s', 'memory per step'],
    equalFinding: (p, time, mem) => `In this run ALiBi at L is ${p} at 128 tokens, takes ${time} of the time and ${mem} of the step memory.`,
    better: (a, b) => (a < b ? `better (${a.toFixed(2)} against ${b.toFixed(2)})` : `worse (${a.toFixed(2)} against ${b.toFixed(2)})`),
  },
  ja: {
    title: 'モデルは長い文脈を使っているか（あなたの実行）',
    gainCap: '64 トークンより先の文脈による改善：各層の注意を直前の 64 トークンに切ったときのパープレキシティから、同じ窓・同じトークンでの全文脈の' +
      'パープレキシティを引いた値（各長さの評価窓の最初の 4 分の 1 で計算）。ほぼ 0 なら、モデルはそれより遠くを無視しています。負なら、増えた文脈がかえって害になっています（学習していない位置）。2 層なので、切っても情報は最大 127 トークン前まで届きます。',
    shareCap: (L) => `${L} トークンの窓 1 つで、距離 d より遠くに向く注意の割合（そのクエリの平均）。層ごとに、ヘッドの平均と（括弧内に）いちばん遠くを見るヘッドの値。` +
      '学習した位置の表は 64 トークンでだけ読みます。',
    method: '手法', layer: (l) => `層 ${l}`, beyond: (d) => `${d} より先`,
    plot: '64 トークンより先の文脈による改善と評価長の関係、および距離 d より遠くへの注意の割合',
    plotCap: '左：上の表の改善（64 に切ったパープレキシティから全文脈のものを引いた値。破線が 0）。右：各モデルで距離 d より遠くに向く注意の割合（層とヘッドの平均）。',
    gainAxis: '切った − 全文脈のパープレキシティ', lengthAxis: '評価長', shareAxis: 'd より遠くへの注意', distanceAxis: '距離 d',
    note: 'パープレキシティが横ばいで、改善がほぼ 0、64 トークンより先への注意もほとんどないなら、それは安定しているだけで、長い文脈を使ってはいません。' +
      '長い窓を読んでも、その長さを使っていないのです。',
    equalTitle: '同じ計算量：L = 64 の ALiBi と 2L = 128 の正弦波（あなたの実行）',
    equalCap: 'どちらも同じトークンを見ます（1 ステップ 8 × 64 = 4 × 128、同じステップ数）。メモリは学習 1 ステップが使うバイト数（勾配と活性化。pe.lm の trainer.memory）。' +
      '論文（CC100 + RoBERTa、13 億パラメータ）では、L の ALiBi が 2L の正弦波と同じパープレキシティを、11% 少ない時間とメモリで出しました。',
    equalHead: ['手法', '128 でのパープレキシティ', '256', '1024', '学習 秒', '1 ステップのメモリ'],
    equalFinding: (p, time, mem) => `この実行では、L の ALiBi は 128 トークンで${p}、時間は ${time}、1 ステップのメモリは ${mem} でした。`,
    better: (a, b) => (a < b ? `良い（${a.toFixed(2)} 対 ${b.toFixed(2)}）` : `悪い（${a.toFixed(2)} 対 ${b.toFixed(2)}）`),
  },
};

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const figures = new WeakMap();  // box -> its plot, destroyed when the box is filled again

/** The two plots of the panel: gain against length, and mean attention share against distance. */
function contextFigure(jobs, t, lang, label, colourOf, longer) {
  const gainOf = (j, L) => {
    const c = j.cuts?.find((x) => x.length === L);
    return c ? c.cut - c.full : NaN;
  };
  const meanShare = (j, k) => {
    const all = j.profile.share.flat().map((head) => head[k]);
    return all.reduce((a, b) => a + b, 0) / all.length;
  };
  const fig = createFigure({ lang, name: 'extrapolation-context', label: t.plot, caption: t.plotCap, height: (w) => (w >= 560 ? 260 : 500),
    csv: () => ({ header: ['method', ...longer.map((L) => `gain at ${L}`), ...jobs[0].profile.distances.map((d) => `share beyond ${d}`)],
      rows: jobs.map((j) => [j.method, ...longer.map((L) => gainOf(j, L)), ...j.profile.distances.map((_, k) => meanShare(j, k))]) }) });
  fig.paint((ctx, { width, height, colours }) => {
    const wide = width >= 560;
    const pw = wide ? width / 2 : width;
    const ph = wide ? height : height / 2;
    const gainRect = { x: 64, y: 14, w: pw - 88, h: ph - 56 };
    const shareRect = { x: (wide ? pw : 0) + 64, y: (wide ? 0 : ph) + 14, w: pw - 88, h: ph - 56 };
    const title = (rect, text, yText) => {
      ctx.fillStyle = colours.ink;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(text, rect.x + rect.w / 2, rect.y + rect.h + 20);
      ctx.save();
      ctx.translate(rect.x - 50, rect.y + rect.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(yText, 0, 0);
      ctx.restore();
    };
    const gains = jobs.flatMap((j) => longer.map((L) => gainOf(j, L))).filter(Number.isFinite);
    const lo = Math.min(-0.1, ...gains);
    const hi = Math.max(0.1, ...gains);
    const gmap = axes(ctx, gainRect, { lo: longer[0], hi: longer.at(-1), log: true, ticks: longer }, { lo, hi }, colours);
    series(ctx, gmap, { xs: [longer[0], longer.at(-1)], ys: [0, 0], colour: colours.muted, width: 1, dash: [4, 4] }, gainRect);
    for (const j of jobs) series(ctx, gmap, { xs: longer, ys: longer.map((L) => gainOf(j, L)), colour: colourOf(j.method), points: true, radius: 3, readout: true, label: label(j.method) }, gainRect);
    title(gainRect, t.lengthAxis, t.gainAxis);
    const ds = jobs[0].profile.distances;
    const smap = axes(ctx, shareRect, { lo: ds[0], hi: ds.at(-1), log: true, ticks: ds }, { lo: 0, hi: 1, format: (v) => `${Math.round(v * 100)}%` }, colours);
    for (const j of jobs) series(ctx, smap, { xs: j.profile.distances, ys: j.profile.distances.map((_, k) => meanShare(j, k)), colour: colourOf(j.method), points: true, radius: 3, readout: true, label: label(j.method) }, shareRect);
    title(shareRect, t.distanceAxis, t.shareAxis);
    legend(ctx, shareRect, jobs.map((j) => ({ label: label(j.method), colour: colourOf(j.method) })), colours);
  });
  return fig;
}

/**
 * Fill `box` with the tables and plots of a finished run (its jobs carry context and profile
 * reports); `colourOf(method)` is the colour of its line in the widget's other plots.
 */
export function renderContext(box, run, lang, label, lengths, colourOf = () => '#888888') {
  const t = TEXT[lang] ?? TEXT.en;
  const jobs = run.jobs.filter((j) => j.profile);
  const equal = equalCompute(run, t, label);
  if (!jobs.length) {
    box.replaceChildren(...equal);
    return;
  }
  const longer = lengths.slice(1);
  const gain = h('table', { class: 'numbers lm-context-gain' },
    h('caption', {}, t.gainCap),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.method), longer.map((L) => h('th', { scope: 'col' }, String(L))))),
    h('tbody', {}, jobs.map((j) => h('tr', { dataset: { row: j.method } }, h('th', { scope: 'row' }, label(j.method)),
      longer.map((L) => {
        const c = j.cuts?.find((x) => x.length === L);
        const cut = c?.cut;
        const full = c?.full;
        const d = cut - full;
        return h('td', { dataset: { cut: String(cut ?? ''), full: String(full ?? '') } },
          Number.isFinite(d) ? `${Math.abs(d) < 0.005 ? '' : d > 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}` : '–');
      })))));
  const p0 = jobs[0].profile;
  const shares = h('table', { class: 'numbers lm-context-share' },
    h('caption', {}, t.shareCap(Math.max(...jobs.map((j) => j.profile.length)))),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.method), h('th', { scope: 'col' }, ''),
      p0.distances.map((d) => h('th', { scope: 'col' }, t.beyond(d))))),
    h('tbody', {}, jobs.flatMap((j) => j.profile.share.map((heads, l) => h('tr', { dataset: { row: j.method, layer: String(l) } },
      h('th', { scope: 'row' }, l === 0 ? label(j.method) : ''), h('td', {}, t.layer(l + 1)),
      j.profile.distances.map((_, k) => {
        const v = heads.map((head) => head[k]);
        return h('td', {}, `${pct(v.reduce((a, b) => a + b, 0) / v.length)} (${pct(Math.max(...v))})`);
      }))))));
  figures.get(box)?.destroy();
  const fig = contextFigure(jobs, t, lang, label, colourOf, longer);
  figures.set(box, fig);
  box.replaceChildren(h('h3', {}, t.title), h('div', { class: 'lm-table-wrap' }, gain), h('div', { class: 'lm-table-wrap' }, shares),
    fig.element, h('p', { class: 'note' }, t.note), ...equal);
  fig.redraw();
}

const MiB = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const ratio = (a, b) => `${Math.round((100 * a) / b)}%`;

/** The equal-compute table (ALiBi at L, sinusoidal at 2L), when the run trained both. */
function equalCompute(run, t, label) {
  const pair = ['alibi', 'sin2l'].map((k) => run.jobs.find((j) => j.method === k && j.stepBytes));
  if (!pair[0] || !pair[1]) return [];
  const at = (k, L) => run.cells[k]?.get(L)?.perplexity;
  const rows = pair.map((j) => h('tr', { dataset: { row: j.method } }, h('th', { scope: 'row' }, label(j.method)),
    [128, 256, 1024].map((L) => h('td', {}, Number.isFinite(at(j.method, L)) ? at(j.method, L).toFixed(2) : '–')),
    h('td', {}, j.seconds.toFixed(1)), h('td', {}, MiB(j.stepBytes))));
  const [a, s] = pair;
  const finding = Number.isFinite(at('alibi', 128)) && Number.isFinite(at('sin2l', 128))
    ? t.equalFinding(t.better(at('alibi', 128), at('sin2l', 128)), ratio(a.seconds, s.seconds), ratio(a.stepBytes, s.stepBytes)) : '';
  return [h('h3', {}, t.equalTitle), h('div', { class: 'lm-table-wrap' }, h('table', { class: 'numbers lm-equal' },
    h('caption', {}, t.equalCap), h('thead', {}, h('tr', {}, t.equalHead.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows))),
  h('p', { class: 'note lm-equal-finding' }, finding)];
}
