// SPDX-License-Identifier: MIT
// Widget 8: RoPE scaling. A model's config.json (pasted, parsed with JSON.parse), an illustrative
// preset or a real model's published config (the RoPE models of pe.models.gallery); the wavelength of
// every rotary pair before and after the scaling (pe.analysis.wavelengths, i.e. pe.rope.frequencies
// + pe.rope.wavelengths). Errors are shown as the package words them. CLAIMS 11.
import { numberField, selectField, sliderField, textAreaField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { describedGallery } from '../lib/gallery.js';
import { wavelengths } from '../lib/analysis.js';
import { axes, fmt, inset, legend, logTicks, series } from '../lib/plot.js';
import { InputError, mountWidget } from '../lib/widget.js';
import { PRESETS, presetText } from './rope-presets.js';

const CHOICES = [...Object.keys(PRESETS), 'model', 'custom'];

export const schema = Object.freeze({
  // 'model': the gallery config named by `model` (a pe.models.gallery id).
  preset: { type: 'enum', default: 'llama3', values: CHOICES },
  model: { type: 'string', default: '', maxLength: 80 },
  config: { type: 'string', default: '', maxLength: 12000 },
  seqlen: { type: 'int', default: 16384, min: 0, max: 16777216 },
  // For a model whose RoPE differs per layer type (Gemma 3): which one; '' picks a scaled one.
  layer: { type: 'string', default: '', maxLength: 64 },
  // For a pasted bare rope_scaling block (no model around it): the head dimension and base it scales.
  headdim: { type: 'int', default: 128, min: 4, max: 1024, step: 2 },
  theta: { type: 'number', default: 10000, min: 2, max: 1e8 },
});

/** A bare rope_scaling block ({ "rope_type": "yarn", "factor": 8, … }) rather than a config. */
function isBareBlock(config) {
  return config && typeof config === 'object' && !Array.isArray(config) && ('rope_type' in config || 'type' in config)
    && !('rope_scaling' in config) && !('rope_parameters' in config) && !('text_config' in config);
}

const TEXT = {
  en: {
    title: 'Stretching RoPE to longer inputs',
    caption: [
      'A common telling: RoPE can be stretched "without fine-tuning" by scaling m·θ by 1/N. Position interpolation ' +
      '(Chen et al. 2023, "linear" here) does divide positions by the factor, which stretches every wavelength by the same ' +
      'factor, but the paper fine-tunes briefly (about 1000 steps) for its results. NTK-aware scaling raises the base ' +
      'instead: fast pairs stay almost as they were, slow ones stretch, and it works better without fine-tuning. ' +
      'YaRN and Llama 3 treat each frequency band differently: fast pairs untouched, slow ones interpolated, a ramp in ' +
      'between. Dynamic scaling changes nothing until the input outgrows the trained length.',
    ],
    preset: 'Config', illustrative: 'Illustrative', real: 'Published configs of real models', unknown: (id) => `No RoPE model "${id}" in the gallery.`,
    presets: { linear: 'Linear (position interpolation), ×4', ntk: 'NTK-aware, ×4', dynamic: 'Dynamic NTK, ×4',
      yarn: 'YaRN, ×8', llama3: 'Llama 3, ×8', longrope: 'LongRoPE (Phi-3-style)', custom: 'Custom (pasted below)' },
    config: 'config.json (edit or paste a model\'s, then Apply)', apply: 'Apply', seqlen: 'Sequence length (for dynamic and LongRoPE)', layer: 'Layer type',
    json: 'This is not valid JSON:',
    headdim: 'head_dim (for a bare rope_scaling block)', theta: 'rope_theta (for a bare rope_scaling block)',
    bare: 'A bare rope_scaling block: it scales a RoPE of the head_dim and rope_theta set above.',
    explain: (p) => (p === 'config' ? 'The config needs head_dim (or hidden_size and num_attention_heads). Paste a whole config.json, or only its rope_scaling block and set head_dim and rope_theta above.' : null),
    factorTick: (f) => `×${fmt(f)} (factor)`,
    wave: 'Wavelength per pair, before and after', waveCap: 'Wavelength 2π/θ_i of every rotary pair i (log scale) without the scaling and with it; the dashed line is the original context length.',
    ratio: 'Stretch per pair', ratioCap: 'after / before for each pair: 1 = unchanged. Linear stretches all pairs alike; the others mostly stretch the slow pairs.',
    before: 'before (no scaling)', after: 'after', original: 'original context', pair: 'pair i', wavelength: 'wavelength (positions)', stretch: 'after / before',
    summary: (r, f, o) => `rope_type ${r.ropeType}, ${r.before.length} pairs, attention factor ${fmt(r.attentionFactor, 4)}, original context ${o.toLocaleString('en')}.${f}`,
  },
  ja: {
    title: 'RoPE を長い入力へ引き伸ばす',
    caption: [
      'よくある説明：RoPE は m·θ を 1/N 倍すれば「ファインチューニングなしで」引き伸ばせる。位置補間（Chen ほか 2023、ここでの linear）は' +
      '確かに位置を係数で割り、すべての波長を同じ倍率で伸ばしますが、論文は良い結果のために短いファインチューニング（約 1000 ステップ）をしています。' +
      'NTK-aware は代わりに底を大きくします。速いペアはほぼそのまま、遅いペアが伸び、ファインチューニングなしでもより良く動きます。' +
      'YaRN と Llama 3 は周波数帯ごとに扱いを変えます：速いペアはそのまま、遅いペアは補間し、その間はなめらかにつなぎます。' +
      'dynamic は入力が学習時の長さを超えるまで何も変えません。',
    ],
    preset: '設定', illustrative: '説明用', real: '実在モデルの公開設定', unknown: (id) => `ギャラリーに RoPE のモデル「${id}」はありません。`,
    presets: { linear: 'linear（位置補間）×4', ntk: 'NTK-aware ×4', dynamic: 'dynamic NTK ×4',
      yarn: 'YaRN ×8', llama3: 'Llama 3 ×8', longrope: 'LongRoPE（Phi-3 風）', custom: 'カスタム（下に貼り付け）' },
    config: 'config.json（編集するかモデルのものを貼り付けて「適用」）', apply: '適用', seqlen: '系列長（dynamic と LongRoPE 用）', layer: '層の種類',
    json: '正しい JSON ではありません：',
    headdim: 'head_dim（rope_scaling だけを貼ったとき）', theta: 'rope_theta（rope_scaling だけを貼ったとき）',
    bare: 'rope_scaling のブロックだけが貼られています。上の head_dim と rope_theta の RoPE に適用します。',
    explain: (p) => (p === 'config'
      ? '設定に head_dim（または hidden_size と num_attention_heads）がありません。config.json 全体を貼るか、rope_scaling のブロックだけを貼って上で head_dim と rope_theta を指定してください。'
      : p ? `設定の「${p}」の値が使えません。値を直して「適用」を押してください。` : '設定を計算できませんでした。値を直して「適用」を押してください。'),
    factorTick: (f) => `×${fmt(f)}（factor）`,
    wave: 'ペアごとの波長：前と後', waveCap: '各回転ペア i の波長 2π/θ_i（対数目盛）、スケーリングなしとありで比較。破線は元の文脈長。',
    ratio: 'ペアごとの伸び', ratioCap: '各ペアの 後 / 前：1 は変化なし。linear はすべてのペアを同じだけ伸ばし、ほかの方式は主に遅いペアを伸ばします。',
    before: '前（スケーリングなし）', after: '後', original: '元の文脈長', pair: 'ペア i', wavelength: '波長（位置）', stretch: '後 / 前',
    summary: (r, f, o) => `rope_type ${r.ropeType}、${r.before.length} ペア、attention factor ${fmt(r.attentionFactor, 4)}、元の文脈長 ${o.toLocaleString('ja')}。${f}`,
  },
};

export function createRopeScaling(container, options) {
  return mountWidget(container, options, {
    id: 'scaling', schema, text: TEXT, embedHeight: 1400,
    setup(w) {
      const { t, pe } = w;
      const area = textAreaField({ label: t.config, maxLength: schema.config.maxLength, rows: 10, applyLabel: t.apply,
        onChange: (text) => w.change({ preset: 'custom', config: text }) });
      // The gallery's RoPE models, as choices 'model:<id>' of the same drop-down.
      const models = describedGallery(pe).flatMap(({ g, d }) => (d?.method === 'rope'
        ? [{ ...g, ropeTypes: [...new Set(Object.values(d.rope.byLayerType).map((f) => f.ropeType))].join(', ') }] : []));
      const pick = selectField({ label: t.preset, choices: [
        { group: t.illustrative, choices: Object.keys(PRESETS).map((c) => ({ value: c, label: t.presets[c] })) },
        { group: t.real, choices: models.map((g) => ({ value: `model:${g.id}`, label: `${g.name} (${g.ropeTypes})` })) },
        { value: 'custom', label: t.presets.custom }],
      // Custom starts from the text in the box (the preset shown), not from an empty box.
      onChange: (v) => w.change(v.startsWith('model:') ? { preset: 'model', model: v.slice(6) }
        : v === 'custom' ? { preset: 'custom', config: area.area.value } : { preset: v }) });
      const controls = {
        seqlen: numberField({ label: t.seqlen, spec: schema.seqlen, onChange: w.set('seqlen') }),
        headdim: sliderField({ label: t.headdim, spec: schema.headdim, onChange: w.set('headdim') }),
        theta: sliderField({ label: t.theta, spec: schema.theta, scale: 'log', onChange: w.set('theta') }),
      };
      // Filled per config: the layer types pe.models.describe finds (shown only when there are several).
      const layer = selectField({ label: t.layer, choices: [], onChange: w.set('layer') });
      const layerSelect = layer.element.querySelector('select');
      w.controls.append(pick.element, ...Object.values(controls).map((c) => c.element), layer.element, area.element);
      w.errorAfter(area.element);
      const summary = h('p', { class: 'note' });
      w.body.append(summary);
      const row = h('div', { class: 'fig-row' });
      w.body.append(row);
      let data = null;
      const csv = () => ({ header: ['pair', 'wavelength_before', 'wavelength_after', 'ratio'],
        rows: Array.from(data.before, (b, i) => [i, b, data.after[i], data.after[i] / b]) });
      const wave = w.figure({ name: 'wavelengths', label: t.wave, caption: t.waveCap, height: (width) => Math.min(360, Math.max(240, width * 0.7)), csv }, row);
      const ratio = w.figure({ name: 'stretch', label: t.ratio, caption: t.ratioCap, height: (width) => Math.min(360, Math.max(240, width * 0.7)), csv }, row);

      function render(s) {
        summary.textContent = '';
        pick.set(s.preset === 'model' ? `model:${s.model}` : s.preset);
        const model = s.preset === 'model' ? models.find((g) => g.id === s.model) : null;
        const text = s.preset === 'custom' ? s.config : model ? JSON.stringify(model.config, null, 2) : s.preset === 'model' ? '' : presetText(s.preset);
        area.set(text);
        if (s.preset === 'model' && !model) {
          data = null;
          summary.textContent = '';
          throw new InputError(t.unknown(s.model));
        }
        let config;
        try {
          config = JSON.parse(text);
        } catch (e) {
          data = null;
          throw new InputError(`${t.json} ${e.message}`);
        }
        const bare = isBareBlock(config);
        controls.headdim.element.hidden = !bare;
        controls.theta.element.hidden = !bare;
        if (bare) config = { head_dim: s.headdim, rope_theta: s.theta, rope_scaling: config };
        // RoPE per layer type: the reader's choice, else the first with a scaling, else the first.
        let described = null;
        try {
          described = pe.models?.describe(config, { seqLen: s.seqlen }) ?? null;
        } catch {
          described = null;  // the error, if any, comes from pe.analysis.wavelengths below
        }
        const types = Object.entries(described?.rope?.byLayerType ?? {});
        const layerType = types.length > 1
          ? (types.find(([k]) => k === s.layer) ?? types.find(([, f]) => f.ropeType !== 'default') ?? types[0])[0] : undefined;
        layer.element.hidden = !layerType;
        layerSelect.replaceChildren(...types.map(([k, f]) => h('option', { value: k }, `${k} (${f.ropeType})`)));
        if (layerType) layer.set(layerType);
        const r = wavelengths(pe, config, layerType ? { seqLen: s.seqlen, layerType } : { seqLen: s.seqlen });
        const inner = config.text_config ?? config;  // multimodal configs (Gemma 3) nest the text model's
        const section = inner.rope_parameters ?? inner.rope_scaling ?? {};
        const original = Number(section.original_max_position_embeddings ?? inner.original_max_position_embeddings
          ?? described?.contextLength ?? inner.max_position_embeddings) || 0;
        data = { before: r.before, after: r.after };
        summary.textContent = t.summary(r, bare ? ` ${t.bare}` : '', original);
        const factor = Number(section.factor);
        const xs = Array.from(r.before, (_, i) => i);
        const ratios = Array.from(r.after, (a, i) => a / r.before[i]);
        wave.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 60, top: 10, right: 12, bottom: 40 });
          let hi = 1;
          for (const v of [...r.before, ...r.after, original]) if (Number.isFinite(v)) hi = Math.max(hi, v);
          const map = axes(ctx, rect, { lo: 0, hi: Math.max(1, xs.length - 1), label: t.pair }, { lo: 1, hi: hi * 2, log: true, label: t.wavelength }, colours);
          if (original > 0) series(ctx, map, { xs: [0, xs.length - 1], ys: [original, original], colour: colours.muted, dash: [6, 4], width: 1.5 }, rect);
          const read = { readout: true, links: [{ ch: 'pair' }] };
          series(ctx, map, { xs, ys: Array.from(r.before), colour: colours.series[0], width: 2, label: t.before, ...read }, rect);
          series(ctx, map, { xs, ys: Array.from(r.after), colour: colours.series[1], width: 2, dash: [2, 0], label: t.after, ...read }, rect);
          legend(ctx, rect, [{ label: t.before, colour: colours.series[0] }, { label: t.after, colour: colours.series[1] },
            { label: t.original, colour: colours.muted, dash: [6, 4] }], colours, 'left');
        });
        ratio.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 52, top: 10, right: 12, bottom: 40 });
          let lo = 1;
          let hi = 1;
          for (const v of ratios) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
          // A tick at the config's factor (×4, ×8), so the plateau of the slow pairs can be read off.
          const yLo = lo / 1.5;
          const yHi = hi * 1.5;
          const hasFactor = Number.isFinite(factor) && factor > yLo && factor < yHi;
          const ticks = logTicks(yLo, yHi).filter((v) => !hasFactor || Math.abs(Math.log(v / factor)) > 0.25);
          const map = axes(ctx, rect, { lo: 0, hi: Math.max(1, xs.length - 1), label: t.pair },
            { lo: yLo, hi: yHi, log: true, label: t.stretch, format: (v) => fmt(v), ticks: hasFactor ? [...ticks, factor] : undefined }, colours);
          series(ctx, map, { xs: [0, xs.length - 1], ys: [1, 1], colour: colours.muted, dash: [4, 4], width: 1 }, rect);
          if (hasFactor) {
            series(ctx, map, { xs: [0, xs.length - 1], ys: [factor, factor], colour: colours.series[2], dash: [6, 4], width: 1.5 }, rect);
            legend(ctx, rect, [{ label: t.factorTick(factor), colour: colours.series[2], dash: [6, 4] }], colours, 'left');
          }
          series(ctx, map, { xs, ys: ratios, colour: colours.series[1], width: 2, points: xs.length <= 64, readout: true, links: [{ ch: 'pair' }] }, rect);
        });
      }
      return { controls, render, explain: (parameter) => t.explain(parameter) };
    },
  });
}
