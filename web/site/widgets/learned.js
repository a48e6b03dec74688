// SPDX-License-Identifier: MIT
// Widget 3: a learned absolute position table (pe.learned.table, BERT-like 512 rows or GPT-2-like
// 1024 rows, fewer columns for drawing) and its hard length limit: asking for position maxPositions
// is an error, shown as the package reports it (pe.learned.lookup). CLAIMS 3 and 4.
import { button, numberField, selectField, sliderField } from '../lib/controls.js';
import { createLut } from '../lib/colormap.js';
import { h } from '../lib/dom.js';
import { learned } from '../lib/analysis.js';
import { heatmap, ramp, readoutText } from '../lib/plot.js';
import { mountWidget } from '../lib/widget.js';

const PRESETS = { bert: 512, gpt2: 1024 };

export const schema = Object.freeze({
  preset: { type: 'enum', default: 'bert', values: ['bert', 'gpt2'] },
  dim: { type: 'int', default: 64, min: 4, max: 256 },
  seed: { type: 'int', default: 0, min: 0, max: 999999 },
  pos: { type: 'int', default: 512, min: 0, max: 100000 },
});

const TEXT = {
  en: {
    title: 'Learned absolute positions: one row per position',
    caption: [
      'BERT and GPT-2 learn a table with one vector per position (BERT 512 rows, GPT-2 1024 rows) and add row p to the ' +
      'token embedding at position p. Position 512 has no row in BERT: the table itself is the length limit, and no ' +
      'trick at inference time gives a trained vector for a position that was never in the table.',
      'This is the case where "positional encodings limit the length" is literally true. Sinusoidal, relative and ALiBi ' +
      'encodings have no table to run out of; their limit is how well the model extrapolates.',
    ],
    preset: 'Table', presets: { bert: 'BERT-base: 512 positions', gpt2: 'GPT-2 small: 1024 positions' },
    dim: 'Columns drawn (BERT and GPT-2 have 768)', seed: 'Seed', pos: 'Look up position',
    askMax: (n) => `Ask for position ${n}`, askLast: (n) => `Ask for position ${n - 1}`,
    fig: 'The table', figCap: (n, d) => `${n} positions (across) × ${d} columns (down), as initialised: normal(0, 0.02) from a seed (pe.learned.table). A trained table is smoother; its size is the same. Blue −0.05, red +0.05.`,
    row: (p) => `Row ${p} (pe.learned.lookup):`,
    limit: 'The package refuses, as the model would:',
    position: 'position →', column: 'column →',
  },
  ja: {
    title: '学習する絶対位置：位置ごとに 1 行',
    caption: [
      'BERT と GPT-2 は位置ごとに 1 つのベクトルを持つ表を学習し（BERT は 512 行、GPT-2 は 1024 行）、位置 p のトークン埋め込みに p 行目を足します。' +
      'BERT には位置 512 の行がありません。表そのものが長さの上限で、推論時にどう工夫しても、表になかった位置の学習済みベクトルは得られません。',
      '「位置エンコーディングが長さを制限する」が文字どおり正しいのはこの場合です。正弦波、相対位置、ALiBi には使い切る表がなく、' +
      '上限はモデルがどこまで外挿できるかで決まります。',
    ],
    preset: '表', presets: { bert: 'BERT-base：512 位置', gpt2: 'GPT-2 small：1024 位置' },
    dim: '描く列数（BERT と GPT-2 は 768）', seed: 'シード', pos: '行を取り出す位置',
    askMax: (n) => `位置 ${n} の行を取り出す`, askLast: (n) => `位置 ${n - 1} の行を取り出す`,
    fig: '表', figCap: (n, d) => `${n} 位置（横）× ${d} 列（縦）。初期化したままの値：シードから作る normal(0, 0.02)（pe.learned.table）。学習後の表はもっと滑らかですが、大きさは同じです。青 −0.05、赤 +0.05。`,
    row: (p) => `${p} 行目（pe.learned.lookup）：`,
    limit: 'パッケージは、モデルと同じく拒否します：',
    beyond: (p, n) => `位置 ${p} の行は表にありません。表の行は位置 0 から ${n - 1} までの ${n} 行です。`,
    position: '位置 →', column: '列 →',
  },
};

export function createLearned(container, options) {
  return mountWidget(container, options, {
    id: 'learned', schema, text: TEXT, embedHeight: 900,
    setup(w) {
      const { t, pe } = w;
      const controls = {
        preset: selectField({ label: t.preset, choices: schema.preset.values.map((v) => ({ value: v, label: t.presets[v] })), onChange: w.set('preset') }),
        dim: sliderField({ label: t.dim, spec: schema.dim, onChange: w.set('dim') }),
        seed: sliderField({ label: t.seed, spec: { ...schema.seed, max: 100 }, onChange: w.set('seed') }),
        pos: numberField({ label: t.pos, spec: schema.pos, onChange: w.set('pos') }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));
      const askMax = h('button', { type: 'button', class: 'button primary' });
      const askLast = h('button', { type: 'button', class: 'button' });
      askMax.addEventListener('click', () => w.change({ pos: PRESETS[w.state().preset] }));
      askLast.addEventListener('click', () => w.change({ pos: PRESETS[w.state().preset] - 1 }));
      const lookupLabel = h('p', { class: 'label' });
      const limitBox = h('p', { class: 'limit-error', role: 'status' });
      w.body.append(h('div', { class: 'toolbar' }, askMax, askLast));
      const lut = createLut();
      let data = null;
      const fig = w.figure({ name: 'table', label: t.fig, className: 'fig-wide', height: (width) => Math.max(160, Math.min(320, width * 0.3)) + 50,
        csv: () => ({ header: ['position', ...Array.from({ length: data.d }, (_, c) => `c${c}`)],
          rows: Array.from({ length: data.n }, (_, p) => [p, ...data.table.subarray(p * data.d, (p + 1) * data.d)]) }) });
      w.body.append(h('div', { class: 'lookup' }, lookupLabel, limitBox));
      const strip = w.figure({ name: 'row', label: t.row(''), className: 'fig-wide', height: () => 40,
        csv: () => (data.row ? { header: ['column', 'value'], rows: Array.from(data.row, (v, c) => [c, v]) } : null) });

      function render(s) {
        const api = learned(pe);
        const n = PRESETS[s.preset];
        askMax.textContent = t.askMax(n);
        askLast.textContent = t.askLast(n);
        const table = api.table({ maxPositions: n, dim: s.dim, seed: s.seed });
        // Columns down, positions across: transpose for drawing only.
        const tr = new Float32Array(n * s.dim);
        for (let p = 0; p < n; p++) for (let c = 0; c < s.dim; c++) tr[c * n + p] = table[p * s.dim + c];
        let row = null;
        let message = '';
        let said = null;
        try {
          row = api.lookup({ table, maxPositions: n, dim: s.dim, positions: [s.pos] });
        } catch (e) {
          message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          // In Japanese, a sentence of the page; the package's own (English) words stay below it.
          said = t.beyond?.(s.pos, n) ?? null;
        }
        data = { n, d: s.dim, table, row };
        fig.setCaption(t.figCap(n, s.dim));
        fig.paint((ctx, { width, height, colours }) => {
          const rect = { x: 44, y: 28, w: width - 54, h: height - 64 };
          heatmap(ctx, rect, { rows: s.dim, cols: n, values: tr, lut, lo: -0.05, hi: 0.05, colours, xLabel: t.position, yLabel: t.column,
            key: `${n}/${s.dim}/${s.seed}`, links: [{ ch: 'column', axis: 'row' }] });
          if (s.pos < n) {
            const x = rect.x + ((s.pos + 0.5) / n) * rect.w;
            ctx.strokeStyle = colours.ink;
            ctx.lineWidth = 1.5;
            ctx.strokeRect(x - 2, rect.y - 2, 4, rect.h + 4);
          }
          ramp(ctx, rect.x, rect.y + rect.h + 8, 150, lut, ['−0.05', '0', '+0.05'], colours);
        });
        lookupLabel.textContent = row ? t.row(s.pos) : t.limit;
        if (said) limitBox.replaceChildren(said, h('small', { class: 'package-message', lang: 'en' }, `(${message})`));
        else limitBox.textContent = message;
        limitBox.hidden = !message;
        strip.element.hidden = !row;
        if (row) {
          strip.setCaption(t.row(s.pos));
          strip.paint((ctx, { width, colours }) => {
            heatmap(ctx, { x: 44, y: 6, w: width - 54, h: 24 }, { rows: 1, cols: s.dim, values: row, lut, lo: -0.05, hi: 0.05, colours,
              rowLabels: [`p=${s.pos}`], colTicks: [], links: [{ ch: 'column', axis: 'col' }],
              readout: (_, c) => readoutText(ctx, [`p = ${s.pos}`, `${t.column.replace(' →', '')} = ${c}`], row[c]) });
          });
        }
      }
      return { controls, render };
    },
  });
}
