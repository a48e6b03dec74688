// SPDX-License-Identifier: MIT
// The "does the model use the long context?" panel of the train-short-test-long widget (claim 13),
// imported by extrapolation.js only after a run that measured it (lib/lm-context.js, in the
// workers), so it costs nothing before. Two tables from the reader's run: per trained model, the
// perplexity gain from the context beyond L = 64 at each length (the same windows scored with every
// layer's attention cut to the last 64 tokens, minus the full-context perplexity), and the share of
// attention each layer's heads put beyond distances 16, 64 and 256 at the longest length it reads.
import { h } from '../lib/dom.js';

const TEXT = {
  en: {
    title: 'Does the model use the long context? (your run)',
    gainCap: 'Gain from the context beyond 64 tokens: perplexity with every layer\'s attention cut to the last 64 tokens, minus ' +
      'the full-context perplexity of the same windows and tokens. About 0: the model ignores what lies further back; below 0: the ' +
      'extra context hurts (positions it never trained on). With two ' +
      'layers the cut still lets information travel up to 127 tokens back.',
    shareCap: (L) => `Share of attention beyond distance d at ${L} tokens (mean over every query), per layer: the mean over its ` +
      'heads and, in brackets, its most far-looking head. The learned table is read at 64 tokens only.',
    method: 'method', layer: (l) => `layer ${l}`, beyond: (d) => `beyond ${d}`,
    note: 'A flat perplexity curve with a gain near 0 and almost no attention past 64 tokens is stable, not long-context: the model reads ' +
      'longer windows without using them.',
  },
  ja: {
    title: 'モデルは長い文脈を使っているか（あなたの実行）',
    gainCap: '64 トークンより先の文脈による改善：各層の注意を直前の 64 トークンに切ったときのパープレキシティから、同じ窓・同じトークンでの全文脈の' +
      'パープレキシティを引いた値。ほぼ 0 なら、モデルはそれより遠くを無視しています。負なら、増えた文脈がかえって害になっています（学習していない位置）。2 層なので、切っても情報は最大 127 トークン前まで届きます。',
    shareCap: (L) => `${L} トークンで距離 d より遠くに向く注意の割合（全クエリの平均）。層ごとに、ヘッドの平均と（括弧内に）いちばん遠くを見るヘッドの値。` +
      '学習した位置の表は 64 トークンでだけ読みます。',
    method: '手法', layer: (l) => `層 ${l}`, beyond: (d) => `${d} より先`,
    note: 'パープレキシティが横ばいで、改善がほぼ 0、64 トークンより先への注意もほとんどないなら、それは安定しているだけで、長い文脈を使ってはいません。' +
      '長い窓を読んでも、その長さを使っていないのです。',
  },
};

const pct = (x) => `${(100 * x).toFixed(1)}%`;

/** Fill `box` with the two tables of a finished run (its jobs carry context and profile reports). */
export function renderContext(box, run, lang, label, lengths) {
  const t = TEXT[lang] ?? TEXT.en;
  const jobs = run.jobs.filter((j) => j.profile);
  if (!jobs.length) {
    box.replaceChildren();
    return;
  }
  const longer = lengths.slice(1);
  const gain = h('table', { class: 'numbers lm-context-gain' },
    h('caption', {}, t.gainCap),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.method), longer.map((L) => h('th', { scope: 'col' }, String(L))))),
    h('tbody', {}, jobs.map((j) => h('tr', { dataset: { row: j.method } }, h('th', { scope: 'row' }, label(j.method)),
      longer.map((L) => {
        const cut = j.context?.find((c) => c.length === L)?.cut;
        const full = run.cells[j.method]?.get(L)?.perplexity;
        const d = cut - full;
        return h('td', { dataset: { cut: String(cut ?? ''), full: String(full ?? '') } },
          Number.isFinite(d) ? `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}` : '–');
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
  box.replaceChildren(h('h3', {}, t.title), h('div', { class: 'lm-table-wrap' }, gain), h('div', { class: 'lm-table-wrap' }, shares),
    h('p', { class: 'note' }, t.note));
}
