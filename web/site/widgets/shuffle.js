// SPDX-License-Identifier: MIT
// Widget 2: the shuffle test. Attention over the words of a sentence, as given and reordered
// (pe.analysis.permutation): without positions and without a mask each word's output moves with
// the word (permutation-equivariant), so the set of outputs is the same; with positions, or with a
// causal mask alone, the outputs change. CLAIMS 2.
import { button, checkboxField, selectField, textField } from '../lib/controls.js';
import { createLut } from '../lib/colormap.js';
import { h } from '../lib/dom.js';
import { permutation } from '../lib/analysis.js';
import { fmt, heatmap, mark, ramp, readoutText } from '../lib/plot.js';
import { hashString, shuffled } from '../lib/random.js';
import { embed, METHODS, orderOf, positionOf, SENTENCE, sentenceWords } from '../lib/sentence.js';
import { mountWidget } from '../lib/widget.js';

const DIM = 16;
const MAX_WORDS = 10;

export const schema = Object.freeze({
  sentence: { type: 'string', default: SENTENCE, maxLength: 120 },
  order: { type: 'string', default: '5,2,0,4,1,3', maxLength: 40 },
  method: { type: 'enum', default: 'none', values: METHODS },
  causal: { type: 'bool', default: false },
});

const TEXT = {
  en: {
    title: 'Shuffle the words: what attention notices',
    caption: [
      'A common claim: "without position information, shuffling the input words does not change the output". More precisely, ' +
      'self-attention without positions is permutation-equivariant: each word\'s output moves with the word, so the set of ' +
      'outputs (and anything pooled from it) stays the same, while the sequence of outputs is reordered.',
      'Positions break this, and so does a causal mask alone: a word then sees only the words before it. That is why decoder-only ' +
      'models can infer positions without any encoding (NoPE).',
      'Here q = k = v = the words\' embeddings: illustrative pseudo-random vectors seeded by each word (16 numbers), one head.',
    ],
    sentence: 'Sentence (up to 10 words)', method: 'Positions', causal: 'Causal mask',
    methods: { none: 'none', sinusoidal: 'sinusoidal (added)', rope: 'RoPE', alibi: 'ALiBi' },
    order: 'Order of the words (drag, or use the arrow buttons)', shuffle: 'Shuffle', reset: 'Original order',
    left: (w) => `Move “${w}” left`, right: (w) => `Move “${w}” right`,
    outputs: 'Outputs, matched word by word', outputsCap: 'Left: the output of each word in the original order. Right: the output of the same word after shuffling (rows matched back to the word). Last column: their largest difference.',
    same: (e) => `Largest difference ${fmt(e)}: float32 rounding. Each word gets the same output wherever it stands — the set of outputs is unchanged.`,
    changed: (e) => `Largest difference ${fmt(e)}: the outputs changed. Attention can tell the orders apart.`,
    identity: 'The order is the original one: shuffle to compare.',
    original: 'original order', shuffled: 'shuffled, matched', diff: '|Δ|', dims: 'output dimensions →',
    tooMany: (n) => `The sentence has ${n} words; the first ${MAX_WORDS} are used.`, none: 'No words found: the default sentence is used.',
  },
  ja: {
    title: '単語を並べ替える：アテンションは何に気づくか',
    caption: [
      'よくある主張：「位置情報がなければ、入力の単語を並べ替えても出力は変わらない」。正確には、位置のない自己アテンションは' +
      '置換同変です。各単語の出力は単語と一緒に動くので、出力の集合（とそこからプーリングしたもの）は変わらず、出力の並び順だけが変わります。',
      '位置情報を入れるとこれは崩れます。因果マスクだけでも崩れます：各単語はそれより前の単語しか見えないからです。' +
      'デコーダだけのモデルが位置エンコーディングなしで（NoPE）位置を推測できるのはこのためです。',
      'ここでは q = k = v = 単語の埋め込みで、各単語から作ったシード付きの疑似乱数ベクトル（16 個の数、説明用）、1 ヘッドです。',
    ],
    sentence: '文（10 単語まで）', method: '位置', causal: '因果マスク',
    methods: { none: 'なし', sinusoidal: '正弦波（加算）', rope: 'RoPE', alibi: 'ALiBi' },
    order: '単語の順序（ドラッグ、または矢印ボタン）', shuffle: 'シャッフル', reset: '元の順序',
    left: (w) => `「${w}」を左へ`, right: (w) => `「${w}」を右へ`,
    outputs: '出力を単語ごとに対応させて比較', outputsCap: '左：元の順序での各単語の出力。右：並べ替えたあとの同じ単語の出力（行を単語に戻して対応）。最後の列：両者の差の最大値。',
    same: (e) => `差の最大値 ${fmt(e)}：float32 の丸め誤差です。各単語はどこに置いても同じ出力になり、出力の集合は変わりません。`,
    changed: (e) => `差の最大値 ${fmt(e)}：出力が変わりました。アテンションは並び順を区別できます。`,
    identity: '元の順序のままです。シャッフルして比べてください。',
    original: '元の順序', shuffled: '並べ替え後（対応）', diff: '|Δ|', dims: '出力の次元 →',
    tooMany: (n) => `文には ${n} 語あります。最初の ${MAX_WORDS} 語を使います。`, none: '単語が見つからないので、既定の文を使います。',
  },
};

export function createShuffle(container, options) {
  return mountWidget(container, options, {
    id: 'shuffle', schema, text: TEXT, embedHeight: 1000,
    setup(w) {
      const { t, pe } = w;
      const controls = {
        sentence: textField({ label: t.sentence, maxLength: schema.sentence.maxLength, onChange: (v) => w.change({ sentence: v, order: '' }) }),
        method: selectField({ label: t.method, choices: METHODS.map((m) => ({ value: m, label: t.methods[m] })), onChange: w.set('method') }),
        causal: checkboxField({ label: t.causal, onChange: w.set('causal') }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));
      const chips = h('ol', { class: 'chips', 'aria-label': t.order });
      let shuffles = 0;
      const shuffleButton = h('button', { type: 'button', class: 'button primary' }, t.shuffle);
      const resetButton = h('button', { type: 'button', class: 'button' }, t.reset);
      const verdict = h('p', { class: 'big-number', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
      const wordNote = h('small', { class: 'control-hint', hidden: true });
      controls.sentence.element.append(wordNote);
      w.body.append(h('div', { class: 'control control-wide' }, h('span', { class: 'label' }, t.order), chips,
        h('div', { class: 'toolbar' }, shuffleButton, resetButton)), verdict);
      const lut = createLut();
      let data = null;
      const fig = w.figure({ name: 'outputs', label: t.outputs, caption: t.outputsCap, className: 'fig-wide',
        height: () => 90 + 24 * (data?.n ?? 6),
        csv: () => ({ header: ['word', 'which', ...Array.from({ length: DIM }, (_, c) => `d${c}`)],
          rows: data.list.flatMap((word, j) => [[word, 'original', ...data.orig.subarray(j * DIM, (j + 1) * DIM)],
            [word, 'shuffled', ...data.matched.subarray(j * DIM, (j + 1) * DIM)]]) }) });

      const setOrder = (perm) => w.change({ order: perm.every((v, i) => v === i) ? '' : perm.join(',') });
      shuffleButton.addEventListener('click', () => {
        shuffles += 1;
        setOrder(shuffled(data.n, hashString(`${data.s.sentence}|${data.s.order}|${shuffles}`)));
      });
      resetButton.addEventListener('click', () => setOrder(data.perm.map((_, i) => i)));

      let dragFrom = -1;
      // A move button re-draws the chips: focus then goes to the same button of the moved word
      // (or its other one at either end), not to the page.
      let refocus = null;
      const move = (perm, slot, by, j, side) => {
        const p = [...perm];
        [p[slot + by], p[slot]] = [p[slot], p[slot + by]];
        refocus = { j, side };
        setOrder(p);
      };
      function drawChips(list, perm) {
        chips.replaceChildren(...perm.map((j, slot) => {
          const word = list[j];
          const left = button('←', () => move(perm, slot, -1, j, 'left'),
            { class: 'chip-move', 'aria-label': t.left(word), disabled: slot === 0, dataset: { word: String(j), side: 'left' } });
          const right = button('→', () => move(perm, slot, 1, j, 'right'),
            { class: 'chip-move', 'aria-label': t.right(word), disabled: slot === perm.length - 1, dataset: { word: String(j), side: 'right' } });
          const li = h('li', { class: 'chip', draggable: 'true', dataset: { slot: String(slot) } }, left, h('span', { class: 'chip-word' }, word), right);
          li.addEventListener('dragstart', (e) => { dragFrom = slot; e.dataTransfer.effectAllowed = 'move'; e.dataTransfer.setData('text/plain', word); });
          li.addEventListener('dragover', (e) => { e.preventDefault(); li.classList.add('drop'); });
          li.addEventListener('dragleave', () => li.classList.remove('drop'));
          li.addEventListener('drop', (e) => {
            e.preventDefault();
            if (dragFrom < 0 || dragFrom === slot) return;
            const p = [...perm];
            const [moved] = p.splice(dragFrom, 1);
            p.splice(slot, 0, moved);
            dragFrom = -1;
            setOrder(p);
          });
          return li;
        }));
        if (refocus) {
          const mine = [...chips.querySelectorAll(`button[data-word="${refocus.j}"]`)];
          (mine.find((b) => b.dataset.side === refocus.side && !b.disabled) ?? mine.find((b) => !b.disabled))?.focus();
          refocus = null;
        }
      }

      function render(s) {
        const { found, list } = sentenceWords(s.sentence, MAX_WORDS);
        wordNote.textContent = found === 0 ? t.none : found > MAX_WORDS ? t.tooMany(found) : '';
        wordNote.hidden = !wordNote.textContent;
        const n = list.length;
        const perm = orderOf(s.order, n);
        drawChips(list, perm);
        const x = embed(list, DIM);
        const r = permutation(pe, { q: x, k: x, v: x, shape: [n, 1, DIM], position: positionOf(pe, s.method, DIM), causal: s.causal, permutation: perm });
        // Row j of `matched`: the output that token j got in the shuffled run (it stood at slot i, perm[i] = j).
        const matched = new Float32Array(n * DIM);
        perm.forEach((j, slot) => matched.set(r.permutedOutput.subarray(slot * DIM, (slot + 1) * DIM), j * DIM));
        const diffs = new Float32Array(n);
        for (let j = 0; j < n; j++) {
          for (let c = 0; c < DIM; c++) diffs[j] = Math.max(diffs[j], Math.abs(matched[j * DIM + c] - r.output[j * DIM + c]));
        }
        data = { s, n, list, perm, orig: r.output, matched, diffs };
        const identity = perm.every((v, i) => v === i);
        verdict.textContent = identity ? t.identity : (r.equivarianceError < 1e-4 ? t.same(r.equivarianceError) : t.changed(r.equivarianceError));
        verdict.dataset.error = String(r.equivarianceError);
        fig.paint((ctx, { width, colours }) => {
          const left = 64;
          const gap = 16;
          const dw = 36;
          const pw = Math.max(40, (width - left - 2 * gap - dw - 8) / 2);
          const ch = 24;
          const y = 40;
          // Both heatmaps read out the word's two outputs at a dimension; the same cell is outlined in the other.
          const opts = { rows: n, cols: DIM, lut, lo: -1, hi: 1, colours, colTicks: [],
            links: [{ ch: 'cell', axis: 'cell', key: (r, c) => r * DIM + c }],
            readout: (j, c) => readoutText(ctx, [list[j], `d${c}`], `${t.original} ${fmt(r.output[j * DIM + c])}, ${t.shuffled} ${fmt(matched[j * DIM + c])}`) };
          heatmap(ctx, { x: left, y, w: pw, h: ch * n }, { ...opts, values: r.output, rowLabels: list, xLabel: t.original });
          heatmap(ctx, { x: left + pw + gap, y, w: pw, h: ch * n }, { ...opts, values: matched, rowLabels: list.map(() => ''), xLabel: '' });
          ctx.fillStyle = colours.ink;
          ctx.textAlign = 'left';
          ctx.textBaseline = 'top';
          ctx.fillText(t.shuffled, left + pw + gap, 2, pw);
          ctx.fillText(t.diff, left + 2 * pw + 2 * gap, 2);
          const bx = left + 2 * pw + 2 * gap;
          const top = Math.max(1e-3, ...diffs);
          diffs.forEach((d, j) => {
            ctx.fillStyle = d < 1e-4 ? colours.series[2] : colours.series[1];
            ctx.fillRect(bx, y + j * ch + 4, Math.max(2, (d / top) * dw), ch - 8);
          });
          mark(ctx, { kind: 'points', rect: { x: bx, y, w: dw, h: ch * n }, pts: Array.from(diffs, (_, j) => [bx + 4, y + (j + 0.5) * ch]),
            text: (j) => readoutText(ctx, [list[j], t.diff], diffs[j]) });
          ctx.fillStyle = colours.muted;
          ctx.fillText(t.dims, left, y + ch * n + 6);
          ramp(ctx, left, y + ch * n + 24, Math.min(160, pw), lut, ['−1', '0', '+1'], colours);
        });
      }
      return { controls, render };
    },
  });
}
