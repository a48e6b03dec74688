// SPDX-License-Identifier: MIT
// Widget: real models. A published config.json from pe.models.gallery (or one pasted by the reader)
// read by pe.models.describe: the positional method, context length, layers and layer types; for
// RoPE the wavelengths (or frequencies) of every layer type, the scaling, the attention factor and
// the layers without RoPE; ALiBi's slopes; T5's buckets (pe.t5.bucket); the learned table's size;
// and every key the package did not use, with the reason. Below, a table of every gallery model and
// its method, made from the same calls. Nothing here computes an encoding: the numbers are the package's.
import { numberField, selectField, textAreaField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { describedGallery } from '../lib/gallery.js';
import { axes, fmt, inset, intTicks, legend, mark, readoutText, series } from '../lib/plot.js';
import { InputError, mountWidget } from '../lib/widget.js';
import { MissingApi } from '../lib/analysis.js';

export const schema = Object.freeze({
  // A gallery id; '' is the first model of the gallery, 'custom' the pasted config.
  model: { type: 'string', default: '', maxLength: 80 },
  config: { type: 'string', default: '', maxLength: 12000 },
  seqlen: { type: 'int', default: 0, min: 0, max: 16777216 },
  plot: { type: 'enum', default: 'wavelength', values: ['wavelength', 'frequency'] },
});

const TEXT = {
  en: {
    title: 'Real models: which encoding, with which numbers',
    caption: [
      'The configs below are the config.json files the models were published with. posenc reads each one the way ' +
      'Hugging Face transformers does for that model type (its defaults, its key names, its layers without RoPE) and ' +
      'says which keys it did not use and why: nothing is dropped silently. Paste any other config.json to read it the same way.',
    ],
    model: 'Model', custom: 'Pasted config.json (below)',
    config: 'config.json (edit or paste one, then Apply)', apply: 'Apply',
    seqlen: 'Sequence length (0: not given; read by dynamic and LongRoPE scaling)',
    plot: 'Plot', plots: { wavelength: 'wavelength 2π/θ_i', frequency: 'frequency θ_i' },
    json: 'This is not valid JSON:',
    unknown: (id) => `No model "${id}" in the gallery.`,
    methods: { rope: 'RoPE (rotary)', alibi: 'ALiBi (linear bias)', learned: 'learned absolute positions', t5: 'T5 relative buckets',
      sinusoidal: 'sinusoidal (fixed)', none: 'none (no positional encoding)' },
    facts: {
      method: 'Method', model: 'model_type (family)', convention: 'Read as in', context: 'Context length', shape: 'Layers · heads · head dim',
      layerTypes: 'Layer types', rope: 'RoPE per layer type', noRope: 'Layers without RoPE', alibi: 'ALiBi', learned: 'Learned table',
      t5: 'T5 buckets', sinusoidal: 'Sinusoidal table', ignored: 'Keys not used',
    },
    unknownValue: 'not in the config', oneType: 'one kind (no layer_types)', noneList: 'none',
    ropeLine: (type, f) => `${type}: rope_type ${f.ropeType}, θ = ${f.theta.toLocaleString('en')}, ${f.rotaryDim} of ${f.headDim} dims rotate, ` +
      `attention factor ${fmt(f.attentionFactor, 4)}, layout ${f.layout}`,
    noRope: (list) => `${list.length}: ${list.join(', ')}`,
    alibiLine: (a) => `${a.heads} heads, slopes ${fmt(a.slopes[0], 4)} … ${fmt(a.slopes[a.slopes.length - 1], 4)} (${a.form === 'mpt' ? `MPT's, alibi_bias_max ${a.alibiBiasMax}` : 'the paper\'s'})`,
    learnedLine: (l) => `${l.maxPositions.toLocaleString('en')} positions, offset ${l.offset} (${l.tableRows.toLocaleString('en')} rows${l.dim === null ? '' : ` of ${l.dim}`})`,
    t5Line: (b) => `${b.numBuckets} buckets, max distance ${b.maxDistance}; encoder ${b.bidirectional ? 'bidirectional' : 'causal'}, decoder ${b.decoderBidirectional ? 'bidirectional' : 'causal'}`,
    sinLine: (s) => `layout ${s.layout}, ${s.dim} dims, ${s.maxPositions === null ? 'no size limit' : `${s.maxPositions.toLocaleString('en')} positions`}, padding_idx ${s.paddingIdx ?? 'none'}, first position ${s.offset}`,
    ignoredNone: 'none: every key was read.',
    ignoredCount: (n) => `${n} key${n === 1 ? '' : 's'}, each with the reason`,
    wave: 'Wavelength of each rotary pair, per layer type', freq: 'Frequency of each rotary pair, per layer type',
    waveCap: 'Wavelength 2π/θ_i in positions of every rotary pair i, with the config\'s scaling applied, one line per layer type (log scale). Dashed: the context length.',
    freqCap: 'Frequency θ_i in radians per position of every rotary pair i, with the config\'s scaling applied, one line per layer type (log scale).',
    pair: 'pair i', wavelength: 'wavelength (positions)', frequency: 'θ_i (radians / position)', context: 'context length',
    layers: 'Layers', layersCap: 'One cell per layer (numbered from 0), coloured by its layer type; grey cells have no positional rotation (no RoPE).',
    layersCapOther: (m) => `One cell per layer (numbered from 0); the ${m} is the same in every layer.`,
    layersNone: 'The config gives no number of layers.', nope: 'no RoPE', allLayers: 'every layer',
    slopes: 'ALiBi slope per head', slopesCap: 'The slope m_h of every head (log scale); head h adds −m_h·(i − j) to the logits.',
    head: 'head h', slope: 'slope m',
    buckets: 'T5 bucket of each relative position', bucketsCap: 'The bucket pe.t5.bucket gives each relative position (key − query) with this config\'s settings: solid for the encoder\'s attention, dashed for the decoder\'s.',
    relative: 'relative position j − i', bucket: 'bucket', encoder: 'encoder', decoder: 'decoder',
    table: 'Which real model uses which positional encoding',
    tableCap: 'Every config of the gallery, read by pe.models.describe (select a name to show it above).',
    cols: ['Model', 'model_type', 'Method', 'Details', 'Context'],
    details: (d) => detailText(d, 'en'),
    source: 'config.json',
  },
  ja: {
    title: '実在のモデル：どのエンコーディングを、どの数値で',
    caption: [
      '下の設定は、各モデルが公開している config.json そのものです。posenc はそれぞれを Hugging Face transformers がそのモデル種別で' +
      '読むのと同じように読み（既定値、キーの名前、RoPE を使わない層）、使わなかったキーとその理由を示します。黙って捨てるキーはありません。' +
      'ほかの config.json を貼り付ければ、同じように読みます。',
    ],
    model: 'モデル', custom: '貼り付けた config.json（下）',
    config: 'config.json（編集するか貼り付けて「適用」）', apply: '適用',
    seqlen: '系列長（0：指定なし。dynamic と LongRoPE が読みます）',
    plot: '図', plots: { wavelength: '波長 2π/θ_i', frequency: '周波数 θ_i' },
    json: '正しい JSON ではありません：',
    unknown: (id) => `ギャラリーにモデル「${id}」はありません。`,
    methods: { rope: 'RoPE（回転）', alibi: 'ALiBi（線形バイアス）', learned: '学習する絶対位置', t5: 'T5 の相対バケット',
      sinusoidal: '正弦波（固定）', none: 'なし（位置エンコーディングなし）' },
    facts: {
      method: '方式', model: 'model_type（系統）', convention: '読み方の出典', context: '文脈長', shape: '層数・ヘッド数・ヘッド次元',
      layerTypes: '層の種類', rope: '層の種類ごとの RoPE', noRope: 'RoPE のない層', alibi: 'ALiBi', learned: '学習する表',
      t5: 'T5 のバケット', sinusoidal: '正弦波の表', ignored: '使わなかったキー',
    },
    unknownValue: '設定にありません', oneType: '1 種類（layer_types なし）', noneList: 'なし',
    ropeLine: (type, f) => `${type}：rope_type ${f.ropeType}、θ = ${f.theta.toLocaleString('ja')}、${f.headDim} 次元のうち ${f.rotaryDim} 次元が回転、` +
      `attention factor ${fmt(f.attentionFactor, 4)}、配置 ${f.layout}`,
    noRope: (list) => `${list.length} 層：${list.join('、')}`,
    alibiLine: (a) => `${a.heads} ヘッド、傾き ${fmt(a.slopes[0], 4)} … ${fmt(a.slopes[a.slopes.length - 1], 4)}（${a.form === 'mpt' ? `MPT 式、alibi_bias_max ${a.alibiBiasMax}` : '論文の式'}）`,
    learnedLine: (l) => `${l.maxPositions.toLocaleString('ja')} 位置、オフセット ${l.offset}（${l.tableRows.toLocaleString('ja')} 行${l.dim === null ? '' : ` × ${l.dim}`}）`,
    t5Line: (b) => `${b.numBuckets} バケット、最大距離 ${b.maxDistance}。エンコーダは${b.bidirectional ? '双方向' : '因果的'}、デコーダは${b.decoderBidirectional ? '双方向' : '因果的'}`,
    sinLine: (s) => `配置 ${s.layout}、${s.dim} 次元、${s.maxPositions === null ? '長さの上限なし' : `${s.maxPositions.toLocaleString('ja')} 位置`}、padding_idx ${s.paddingIdx ?? 'なし'}、最初の位置 ${s.offset}`,
    ignoredNone: 'なし：すべてのキーを読みました。',
    ignoredCount: (n) => `${n} 個（それぞれ理由つき）`,
    wave: '回転ペアごとの波長（層の種類ごと）', freq: '回転ペアごとの周波数（層の種類ごと）',
    waveCap: '各回転ペア i の波長 2π/θ_i（位置の数）。設定のスケーリングを適用済み。層の種類ごとに 1 本（対数目盛）。破線は文脈長。',
    freqCap: '各回転ペア i の周波数 θ_i（ラジアン / 位置）。設定のスケーリングを適用済み。層の種類ごとに 1 本（対数目盛）。',
    pair: 'ペア i', wavelength: '波長（位置）', frequency: 'θ_i（ラジアン / 位置）', context: '文脈長',
    layers: '層', layersCap: '1 層を 1 マス（0 から番号付け）で示し、層の種類で色分けします。灰色のマスは回転しない層（RoPE なし）です。',
    layersCapOther: (m) => `1 層を 1 マス（0 から番号付け）で示します。${m}はすべての層で同じです。`,
    layersNone: '設定に層数がありません。', nope: 'RoPE なし', allLayers: 'すべての層',
    slopes: 'ヘッドごとの ALiBi の傾き', slopesCap: '各ヘッドの傾き m_h（対数目盛）。ヘッド h はロジットに −m_h·(i − j) を足します。',
    head: 'ヘッド h', slope: '傾き m',
    buckets: '相対位置ごとの T5 バケット', bucketsCap: 'この設定で pe.t5.bucket が各相対位置（キー − クエリ）に割り当てるバケット。実線はエンコーダ、破線はデコーダのアテンション。',
    relative: '相対位置 j − i', bucket: 'バケット', encoder: 'エンコーダ', decoder: 'デコーダ',
    table: 'どの実在モデルがどの位置エンコーディングを使っているか',
    tableCap: 'ギャラリーのすべての設定を pe.models.describe で読んだ結果（名前を選ぶと上に表示します）。',
    cols: ['モデル', 'model_type', '方式', '詳細', '文脈長'],
    details: (d) => detailText(d, 'ja'),
    source: 'config.json',
  },
};

/** One short line for the table: the RoPE types and thetas per layer type, or the method's own numbers. */
function detailText(d, lang) {
  const sep = lang === 'ja' ? '、' : '; ';
  if (d.method === 'rope') {
    const unscaled = lang === 'ja' ? 'スケーリングなし' : 'unscaled';
    const parts = Object.entries(d.rope.byLayerType).map(([type, f]) => [type === 'default' ? '' : `${type}: `, f.ropeType === 'default' ? unscaled : f.ropeType,
      `, θ ${f.theta.toLocaleString(lang)}`, f.rotaryDim < f.headDim ? `, ${f.rotaryDim}/${f.headDim}` : ''].join(''));
    if (d.rope.layout === 'interleaved') parts.push(lang === 'ja' ? 'interleaved 配置' : 'interleaved');
    if (d.rope.noRopeLayers.length) parts.push(lang === 'ja' ? `RoPE なし ${d.rope.noRopeLayers.length} 層` : `no RoPE in ${d.rope.noRopeLayers.length} layers`);
    return parts.join(sep);
  }
  if (d.method === 'alibi') return lang === 'ja' ? `${d.alibi.heads} ヘッド` : `${d.alibi.heads} heads`;
  if (d.method === 'learned') return lang === 'ja' ? `表 ${d.learned.maxPositions} 行、オフセット ${d.learned.offset}` : `table of ${d.learned.maxPositions}, offset ${d.learned.offset}`;
  if (d.method === 't5') return lang === 'ja' ? `${d.t5.numBuckets} バケット、最大距離 ${d.t5.maxDistance}` : `${d.t5.numBuckets} buckets, max distance ${d.t5.maxDistance}`;
  if (d.method === 'sinusoidal') return `${d.sinusoidal.layout}, ${d.sinusoidal.dim}`;
  return '';
}

/** The layer type of each layer (the RoPE table's only key when the config lists none). */
function layerKinds(d) {
  if (d.layers === null) return [];
  const only = d.rope ? Object.keys(d.rope.byLayerType)[0] : 'default';
  return Array.from({ length: d.layers }, (_, i) => d.layerTypes?.[i] ?? only);
}

/** The keys the package did not use, from the result and its RoPE tables, once each. */
function ignoredKeys(d) {
  const seen = new Map();
  const add = (list) => { for (const k of list ?? []) if (!seen.has(k.key)) seen.set(k.key, k); };
  add(d.ignoredKeys);
  for (const f of Object.values(d.rope?.byLayerType ?? {})) add(f.ignoredKeys);
  return [...seen.values()];
}

/** The https URL of a gallery source ('huggingface.co/<repo>/blob/main/config.json'), or null. */
function https(source) {
  if (typeof source !== 'string') return null;
  const url = /^https:\/\//.test(source) ? source : /^[a-z0-9-]+(\.[a-z0-9-]+)+\//i.test(source) ? `https://${source}` : null;
  return url && URL.canParse(url) ? url : null;
}

export function createModels(container, options) {
  return mountWidget(container, options, {
    id: 'models', schema, text: TEXT, embedHeight: 1900,
    setup(w) {
      const { t, pe } = w;
      const gallery = pe.models?.gallery ?? [];
      const area = textAreaField({ label: t.config, maxLength: schema.config.maxLength, rows: 10, applyLabel: t.apply,
        onChange: (text) => w.change({ model: 'custom', config: text }) });
      const pick = selectField({ label: t.model,
        choices: [...gallery.map((g) => ({ value: g.id, label: g.name })), { value: 'custom', label: t.custom }],
        onChange: (id) => w.change({ model: id }) });
      const controls = {
        seqlen: numberField({ label: t.seqlen, spec: schema.seqlen, onChange: w.set('seqlen') }),
        plot: selectField({ label: t.plot, choices: schema.plot.values.map((v) => ({ value: v, label: t.plots[v] })), onChange: w.set('plot') }),
      };
      w.controls.append(pick.element, ...Object.values(controls).map((c) => c.element), area.element);
      w.errorAfter(area.element);

      const facts = h('dl', { class: 'facts' });
      w.body.append(facts);
      const row = h('div', { class: 'fig-row' });
      w.body.append(row);
      let d = null;
      const plotHeight = (width) => Math.min(340, Math.max(240, width * 0.62));
      const spectrumCsv = () => {
        const types = Object.entries(d.rope.byLayerType).map(([k, f]) => ({ k, f, wl: pe.rope.wavelengths(f) }));
        const n = Math.max(...types.map(({ f }) => f.invFreq.length));
        return { header: ['pair', ...types.flatMap(({ k }) => [`${k}_inv_freq`, `${k}_wavelength`])],
          rows: Array.from({ length: n }, (_, i) => [i, ...types.flatMap(({ f, wl }) => [f.invFreq[i] ?? '', wl[i] ?? ''])]) };
      };
      const spectrum = w.figure({ name: 'spectrum', label: t.wave, height: plotHeight, csv: spectrumCsv }, row);
      const slopes = w.figure({ name: 'slopes', label: t.slopes, caption: t.slopesCap, height: plotHeight,
        csv: () => ({ header: ['head', 'slope'], rows: Array.from(d.alibi.slopes, (m, i) => [i, m]) }) }, row);
      let rel = null;
      let buckets = null;
      const bucketFig = w.figure({ name: 'buckets', label: t.buckets, caption: t.bucketsCap, height: plotHeight,
        csv: () => ({ header: ['relative_position', 'bucket'], rows: Array.from(rel, (r, i) => [r, buckets[i]]) }) }, row);
      const layersFig = w.figure({ name: 'layers', label: t.layers, caption: t.layersCap, height: (width) => (width < 480 ? 104 : 84),
        csv: () => ({ header: ['layer', 'layer_type', 'rope'], rows: layerKinds(d).map((k, i) => [i, k, d.rope ? !d.rope.noRopeLayers.includes(i) : '']) }) });
      const tableWrap = h('div', { class: 'table-wrap' });
      w.body.append(tableWrap);
      // Move the layer strip under the facts, above the plots.
      facts.after(layersFig.element);

      // The gallery, described once (the table does not depend on the settings).
      const described = describedGallery(pe);
      const tableRows = new Map();
      tableWrap.append(h('table', { class: 'numbers models-table', dataset: { table: 'models' } },
        h('caption', {}, h('strong', {}, t.table), ' ', t.tableCap),
        h('thead', {}, h('tr', {}, t.cols.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, described.map(({ g, d: gd, error }) => {
          const show = h('button', { type: 'button', class: 'linkish' }, g.name);
          show.addEventListener('click', () => {
            w.change({ model: g.id });
            w.root.scrollIntoView?.({ block: 'start' });
          });
          const src = https(g.source);
          const tr = h('tr', { dataset: { model: g.id, method: gd?.method ?? 'error' } },
            h('th', { scope: 'row' }, show, src ? h('a', { href: src, class: 'source', rel: 'noopener' }, t.source) : null),
            h('td', { dataset: { label: t.cols[1] } }, gd?.modelType ?? '—'),
            h('td', { dataset: { label: t.cols[2] } }, gd ? t.methods[gd.method] : error),
            h('td', { dataset: { label: t.cols[3] } }, gd ? t.details(gd) : ''),
            h('td', { dataset: { label: t.cols[4] } }, gd?.contextLength === null || !gd ? '—' : gd.contextLength.toLocaleString(w.lang)));
          tableRows.set(g.id, tr);
          return tr;
        }))));

      /** The package names the one RoPE table of a config without layer types 'default'. */
      const typeLabel = (k) => (k === 'default' && !d.layerTypes ? t.allLayers : k);

      function fact(label, ...value) {
        return [h('dt', {}, label), h('dd', {}, ...value)];
      }

      function showFacts(s) {
        const f = t.facts;
        const unknown = (v) => (v === null || v === undefined ? t.unknownValue : v.toLocaleString(w.lang));
        const kinds = layerKinds(d);
        const counts = new Map();
        for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
        const ignored = ignoredKeys(d);
        facts.replaceChildren(
          ...fact(f.method, h('strong', {}, t.methods[d.method])),
          ...fact(f.model, `${d.modelType ?? '—'} (${d.family})`),
          ...(d.source ? fact(f.convention, h('code', {}, d.source)) : []),
          ...fact(f.context, unknown(d.contextLength)),
          ...fact(f.shape, [d.layers, d.heads, d.headDim].map(unknown).join(' · ')),
          ...fact(f.layerTypes, d.layerTypes ? [...counts].map(([k, n]) => `${k} ×${n}`).join(', ') : t.oneType),
          ...(d.rope ? fact(f.rope, h('ul', { class: 'plain' }, Object.entries(d.rope.byLayerType).map(([k, fr]) => h('li', {}, t.ropeLine(typeLabel(k), fr))))) : []),
          ...(d.rope ? fact(f.noRope, d.rope.noRopeLayers.length ? t.noRope(d.rope.noRopeLayers) : t.noneList) : []),
          ...(d.alibi ? fact(f.alibi, t.alibiLine(d.alibi)) : []),
          ...(d.learned ? fact(f.learned, t.learnedLine(d.learned)) : []),
          ...(d.t5 ? fact(f.t5, t.t5Line(d.t5)) : []),
          ...(d.sinusoidal ? fact(f.sinusoidal, t.sinLine(d.sinusoidal)) : []),
          ...fact(f.ignored, ignored.length
            ? h('details', { class: 'ignored', open: s.model === 'custom' || ignored.length <= 4 },
              h('summary', {}, t.ignoredCount(ignored.length)),
              h('ul', { class: 'plain' }, ignored.map((k) => h('li', {}, h('code', {}, k.key), ` ${k.why}`))))
            : t.ignoredNone));
        for (const [id, tr] of tableRows) tr.classList.toggle('current', id === s.model);
      }

      function paintLayers() {
        const kinds = layerKinds(d);
        const types = [...new Set(kinds)];
        const nope = new Set(d.rope?.noRopeLayers ?? []);
        layersFig.paint((ctx, { width, height, colours }) => {
          if (!kinds.length) {
            ctx.font = '13px system-ui, sans-serif';
            ctx.fillStyle = colours.muted;
            ctx.textAlign = 'left';
            ctx.textBaseline = 'middle';
            ctx.fillText(t.layersNone, 8, height / 2);
            return;
          }
          const rect = { x: 8, y: 6, w: width - 16, h: 26 };
          const cw = rect.w / kinds.length;
          kinds.forEach((k, i) => {
            ctx.fillStyle = nope.has(i) ? colours.mask : colours.series[types.indexOf(k) % colours.series.length];
            ctx.fillRect(rect.x + i * cw, rect.y, Math.max(1, cw - (cw > 4 ? 1 : 0)), rect.h);
          });
          mark(ctx, { kind: 'grid', rect, rows: 1, cols: kinds.length,
            text: (_, i) => readoutText(ctx, [`${t.layers} ${i}`], nope.has(i) ? t.nope : typeLabel(kinds[i])) });
          ctx.font = '11px system-ui, sans-serif';
          ctx.fillStyle = colours.muted;
          ctx.textAlign = 'center';
          ctx.textBaseline = 'top';
          for (const i of intTicks(kinds.length, Math.floor(rect.w / 40))) ctx.fillText(String(i), rect.x + (i + 0.5) * cw, rect.y + rect.h + 3);
          // Key: one swatch per layer type (and no RoPE), wrapping to a second line on narrow screens.
          const entries = types.map((k, i) => ({ label: typeLabel(k), colour: colours.series[i % colours.series.length] }));
          if (nope.size) entries.push({ label: t.nope, colour: colours.mask });
          ctx.textAlign = 'left';
          ctx.textBaseline = 'middle';
          ctx.font = '12px system-ui, sans-serif';
          let x = rect.x;
          let y = rect.y + rect.h + 28;
          for (const e of entries) {
            const wdt = ctx.measureText(e.label).width + 30;
            if (x + wdt > rect.x + rect.w && x > rect.x) { x = rect.x; y += 20; }
            ctx.fillStyle = e.colour;
            ctx.fillRect(x, y - 6, 14, 12);
            ctx.fillStyle = colours.ink;
            ctx.fillText(e.label, x + 19, y);
            x += wdt;
          }
        });
      }

      function paintSpectrum(s) {
        const entries = Object.entries(d.rope.byLayerType);
        const freq = s.plot === 'frequency';
        const ys = entries.map(([, f]) => Array.from(freq ? f.invFreq : pe.rope.wavelengths(f)));
        spectrum.setLabel(freq ? t.freq : t.wave);
        spectrum.setCaption(freq ? t.freqCap : t.waveCap);
        spectrum.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 60, top: 10, right: 12, bottom: 40 });
          const n = Math.max(...ys.map((y) => y.length));
          let lo = Infinity;
          let hi = 0;
          for (const v of [...ys.flat(), ...(!freq && d.contextLength ? [d.contextLength] : [])]) {
            if (Number.isFinite(v) && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
          }
          if (!(hi > 0)) { lo = 1; hi = 10; }
          const map = axes(ctx, rect, { lo: 0, hi: Math.max(1, n - 1), label: t.pair },
            { lo: lo / 2, hi: hi * 2, log: true, label: freq ? t.frequency : t.wavelength }, colours);
          if (!freq && d.contextLength) {
            series(ctx, map, { xs: [0, n - 1], ys: [d.contextLength, d.contextLength], colour: colours.muted, dash: [6, 4], width: 1.5 }, rect);
          }
          ys.forEach((y, i) => series(ctx, map, { xs: y.map((_, j) => j), ys: y, colour: colours.series[i % colours.series.length],
            width: 2, dash: i ? [7, 3] : [], points: y.length <= 32, readout: true, label: typeLabel(entries[i][0]) }, rect));
          const keys = entries.map(([k, f], i) => ({ label: `${typeLabel(k)} (${f.ropeType})`, colour: colours.series[i % colours.series.length], dash: i ? [7, 3] : [] }));
          if (!freq && d.contextLength) keys.push({ label: t.context, colour: colours.muted, dash: [6, 4] });
          legend(ctx, rect, keys, colours, freq ? 'right' : 'left');
        });
      }

      function paintSlopes() {
        const m = d.alibi.slopes;
        slopes.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 56, top: 12, right: 12, bottom: 40 });
          let lo = Infinity;
          for (const v of m) lo = Math.min(lo, v);
          const map = axes(ctx, rect, { lo: -0.5, hi: m.length - 0.5, label: t.head, ticks: intTicks(m.length, Math.floor(rect.w / 36)) },
            { lo: lo / 2, hi: 1, log: true, label: t.slope }, colours);
          const bw = Math.max(1, (rect.w / m.length) * 0.7);
          ctx.fillStyle = colours.series[0];
          m.forEach((v, i) => {
            const y = map.py(v);
            ctx.fillRect(map.px(i) - bw / 2, y, bw, rect.y + rect.h - y);
          });
          mark(ctx, { kind: 'points', rect, pts: Array.from(m, (v, i) => [map.px(i), map.py(v)]), text: (i) => readoutText(ctx, [`${t.head} ${i}`], m[i]) });
        });
      }

      function paintBuckets() {
        const { numBuckets, maxDistance, bidirectional, decoderBidirectional } = d.t5;
        const span = Math.min(4096, maxDistance * 2);
        rel = Int32Array.from({ length: 2 * span + 1 }, (_, i) => i - span);
        buckets = pe.t5.bucket(rel, { numBuckets, maxDistance, bidirectional });
        const decoder = pe.t5.bucket(rel, { numBuckets, maxDistance, bidirectional: decoderBidirectional });
        bucketFig.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 48, top: 10, right: 12, bottom: 40 });
          const map = axes(ctx, rect, { lo: -span, hi: span, label: t.relative }, { lo: 0, hi: numBuckets - 1, label: t.bucket }, colours);
          const xs = Array.from(rel);
          series(ctx, map, { xs, ys: Array.from(buckets), colour: colours.series[0], width: 2, step: true, readout: true, label: t.encoder }, rect);
          series(ctx, map, { xs, ys: Array.from(decoder), colour: colours.series[1], width: 2, step: true, dash: [6, 3], readout: true, label: t.decoder }, rect);
          legend(ctx, rect, [{ label: t.encoder, colour: colours.series[0] }, { label: t.decoder, colour: colours.series[1], dash: [6, 3] }], colours, 'left');
        });
      }

      // The last description and what it was made from: a change of plot only repaints the spectrum.
      let last = { text: null, seqlen: null, model: null };

      function render(s) {
        if (!pe.models) throw new MissingApi('pe.models');
        pick.set(s.model === '' ? gallery[0]?.id ?? 'custom' : s.model);
        const entry = s.model === 'custom' ? null : gallery.find((g) => g.id === (s.model || gallery[0]?.id));
        const text = entry ? JSON.stringify(entry.config, null, 2) : s.config;
        area.set(text);
        if (d && last.text === text && last.seqlen === s.seqlen && last.model === s.model) {
          if (d.rope) paintSpectrum(s);
          return;
        }
        d = null;
        last = { text: null, seqlen: null, model: null };
        facts.replaceChildren();
        for (const fig of [spectrum, slopes, bucketFig]) fig.element.hidden = true;
        layersFig.element.hidden = true;
        tableRows.forEach((tr) => tr.classList.remove('current'));
        if (!entry && s.model !== 'custom') throw new InputError(t.unknown(s.model));
        let config;
        try {
          config = JSON.parse(text);
        } catch (e) {
          throw new InputError(`${t.json} ${e.message}`);
        }
        d = pe.models.describe(config, s.seqlen > 0 ? { seqLen: s.seqlen } : {});
        last = { text, seqlen: s.seqlen, model: s.model };
        showFacts(s);
        layersFig.element.hidden = false;
        layersFig.setCaption(d.rope ? t.layersCap : t.layersCapOther(t.methods[d.method]));
        paintLayers();
        spectrum.element.hidden = !d.rope;
        slopes.element.hidden = !d.alibi;
        bucketFig.element.hidden = !d.t5;
        if (d.rope) paintSpectrum(s);
        if (d.alibi) paintSlopes();
        if (d.t5) paintBuckets();
      }
      return { controls, render };
    },
  });
}
