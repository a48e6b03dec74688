// SPDX-License-Identifier: MIT
// Widget 7: RoPE. Each 2-D pair of q and k is rotated by position * w_i (pe.rope.apply; arrows on
// circles, animated, fast pairs spin and slow ones barely move); the score of a rotated q and k
// depends only on m - n (sliders that move both positions together); the long-term decay of the
// score with distance (pe.analysis.relativeScores); the two layouts. CLAIMS 9 and 10.
import { button, checkboxField, numberField, selectField, sliderField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { dot, relativeCheck, relativeScores } from '../lib/analysis.js';
import { CATEGORIES, createLut, VIRIDIS } from '../lib/colormap.js';
import { arrow, axes, fmt, FONT, inset, mark, readoutText, series, SMALL } from '../lib/plot.js';
import { uniform } from '../lib/random.js';
import { mountWidget } from '../lib/widget.js';

export const schema = Object.freeze({
  dim: { type: 'int', default: 64, min: 8, max: 256, step: 2 },
  theta: { type: 'number', default: 10000, min: 10, max: 1e7 },
  layout: { type: 'enum', default: 'half', values: ['half', 'interleaved'] },
  pos: { type: 'int', default: 12, min: 0, max: 1000000 },
  play: { type: 'bool', default: true },
  m: { type: 'int', default: 7, min: 0, max: 64 },
  n: { type: 'int', default: 2, min: 0, max: 64 },
  shift: { type: 'int', default: 0, min: 0, max: 100000 },
  span: { type: 'int', default: 512, min: 16, max: 8192 },
});

const STEPS_PER_SECOND = 5;

const TEXT = {
  en: {
    title: 'RoPE: rotate q and k, not the embedding',
    caption: [
      'Rotary position embedding (Su et al. 2021) adds nothing to the token embeddings and has no trainable ' +
      'parameters. Before the dot product, it rotates every 2-D pair i of the query and of the key by the angle ' +
      'position × θ_i, with θ_i = b^(−2i/d). The first pairs turn fast, the last ones barely move.',
      'Because both vectors are rotated, q_m · k_n depends only on m − n: shift both positions together and the ' +
      'score does not change. Averaged over directions, scores also shrink as the distance grows (long-term decay).',
    ],
    dim: 'Head dimension d', theta: 'Base b (rope_theta)', layout: 'Layout', pos: 'Position',
    layouts: { half: 'half: (x_i, x_{i+d/2}), GPT-NeoX / HF', interleaved: 'interleaved: (x_2i, x_2i+1), GPT-J / Meta' },
    play: 'Play', pause: 'Pause', reduced: 'Animation is paused because your system asks for reduced motion; press Play to run it.',
    circles: 'Rotation of four pairs', circlesCap: (p) => `Pair i rotated by ${p} × θ_i (vectors from pe.rope.apply). θ_i in radians per position; λ_i = 2π/θ_i is the wavelength.`,
    m: 'Query position m', n: 'Key position n', shift: 'Shift both by s',
    score: (a, b, s, v) => `q at position ${a}, k at position ${b}: score q·k = ${v}`,
    sameDiff: (d) => `m − n = ${d}. Move "shift both": the score stays the same.`,
    check: (c) => `Checked by pe.analysis.relativeCheck at ${c.samples} key positions up to ${c.maxPosition.toLocaleString('en')}: the score moved by at most ${fmt(c.maxDeviation)}, ` +
      `float32 rounding on scores that can be at most |q|·|k| = ${fmt(c.bound)} in size.`,
    span: 'Distance range', decay: 'Long-term decay', decayCap: 'Score of q = k = (1, …, 1) rotated to distance m − n (as in the RoFormer paper): it oscillates and its envelope shrinks with distance.',
    distance: 'distance m − n', scoreAxis: 'score',
    layoutFig: 'Which coordinates pair up', layoutCap: (l) => l === 'half'
      ? 'half layout: coordinate i pairs with i + d/2 (rotate_half). The colour runs with the pair index i (dark: pair 0, yellow: the last pair), so the two coordinates of a pair share one colour, d/2 apart.'
      : 'interleaved layout: coordinate 2i pairs with 2i + 1. The colour runs with the pair index i (dark: pair 0, yellow: the last pair): neighbours share one colour. Weights trained in one layout need their rows permuted for the other.',
    pair: 'pair', rad: 'rad/pos',
  },
  ja: {
    title: 'RoPE：埋め込みではなく q と k を回転する',
    caption: [
      '回転位置埋め込み（RoPE、Su ほか 2021）はトークン埋め込みに何も足さず、学習するパラメータもありません。' +
      '内積の前に、クエリとキーの 2 次元ペア i をそれぞれ「位置 × θ_i」だけ回転します（θ_i = b^(−2i/d)）。' +
      '最初のペアは速く回り、最後のペアはほとんど動きません。',
      '両方のベクトルを回転するので、q_m · k_n は m − n だけで決まります。2 つの位置を一緒にずらしてもスコアは変わりません。' +
      'また、方向について平均すると、距離が大きくなるほどスコアは小さくなります（長距離の減衰）。',
    ],
    dim: 'ヘッド次元 d', theta: '底 b（rope_theta）', layout: 'レイアウト', pos: '位置',
    layouts: { half: 'half：(x_i, x_{i+d/2})、GPT-NeoX / HF', interleaved: 'interleaved：(x_2i, x_2i+1)、GPT-J / Meta' },
    play: '再生', pause: '一時停止', reduced: '「視差効果を減らす」設定のためアニメーションは止めています。再生を押すと動きます。',
    circles: '4 つのペアの回転', circlesCap: (p) => `ペア i を ${p} × θ_i だけ回転（ベクトルは pe.rope.apply の出力）。θ_i の単位は ラジアン/位置、λ_i = 2π/θ_i は波長。`,
    m: 'クエリの位置 m', n: 'キーの位置 n', shift: '両方を s だけずらす',
    score: (a, b, s, v) => `q は位置 ${a}、k は位置 ${b}：スコア q·k = ${v}`,
    sameDiff: (d) => `m − n = ${d}。「両方をずらす」を動かしてもスコアは同じです。`,
    check: (c) => `pe.analysis.relativeCheck で ${c.samples} 個のキー位置（最大 ${c.maxPosition.toLocaleString('ja')}）を確認しました。スコアのずれは最大 ${fmt(c.maxDeviation)} で、` +
      `大きさが最大でも |q|·|k| = ${fmt(c.bound)} のスコアに対する float32 の丸め誤差です。`,
    span: '距離の範囲', decay: '長距離の減衰', decayCap: 'q = k = (1, …, 1) を距離 m − n に回転したときのスコア（RoFormer 論文と同じ）：振動しながら包絡線が距離とともに小さくなります。',
    distance: '距離 m − n', scoreAxis: 'スコア',
    layoutFig: 'どの座標がペアになるか', layoutCap: (l) => l === 'half'
      ? 'half レイアウト：座標 i と i + d/2 がペア（rotate_half）。色はペア番号 i とともに変わります（暗い色がペア 0、黄色が最後のペア）。ペアの 2 座標は d/2 離れて同じ色です。'
      : 'interleaved レイアウト：座標 2i と 2i + 1 がペア。色はペア番号 i とともに変わります（暗い色がペア 0、黄色が最後のペア）。隣り合う 2 座標が同じ色です。一方のレイアウトで学習した重みを他方で使うには行の並べ替えが必要です。',
    pair: 'ペア', rad: 'rad/位置',
  },
};

/** The four pairs drawn: the first, a quarter and half way, and the last. */
function pairsOf(dim) {
  const half = dim / 2;
  return [...new Set([0, Math.round(half / 4), Math.round(half / 2), half - 1])];
}

export function createRope(container, options) {
  return mountWidget(container, options, {
    id: 'rope', schema, text: TEXT, embedHeight: 1500,
    setup(w) {
      const { t, pe } = w;
      const reduced = window.matchMedia('(prefers-reduced-motion: reduce)');
      const controls = {
        dim: sliderField({ label: t.dim, spec: schema.dim, onChange: w.set('dim') }),
        theta: sliderField({ label: t.theta, spec: schema.theta, scale: 'log', onChange: w.set('theta') }),
        layout: selectField({ label: t.layout, choices: schema.layout.values.map((v) => ({ value: v, label: t.layouts[v] })), onChange: w.set('layout') }),
        pos: numberField({ label: t.pos, spec: schema.pos, onChange: (v) => w.change({ pos: v, play: false }) }),
      };
      w.controls.append(...Object.values(controls).map((c) => c.element));

      // Circles, with the play/pause button.
      const playButton = h('button', { type: 'button', class: 'button primary', 'aria-pressed': 'false' }, t.play);
      const motionNote = h('p', { class: 'note', hidden: true }, t.reduced);
      w.body.append(h('div', { class: 'toolbar' }, playButton), motionNote);
      const circles = w.figure({ name: 'rotation', label: t.circles, className: 'fig-wide',
        height: (width) => (width < 520 ? 2 : 1) * Math.min(226, (width < 520 ? width / 2 : width / 4) + 56),
        csv: () => ({ header: ['pair', 'theta_rad_per_position', 'position', 'x', 'y'],
          rows: view.pairs.map((p, j) => [p, view.f.invFreq[p], view.pos, view.xy[j][0], view.xy[j][1]]) }) });
      const strip = w.figure({ name: 'layout', label: t.layoutFig, className: 'fig-wide', height: () => 64,
        csv: () => ({ header: ['coordinate', 'pair'], rows: Array.from({ length: view.s.dim }, (_, c) => [c, pairOfCoordinate(c, view.s)]) }) });

      // The relative property.
      const relControls = {
        m: sliderField({ label: t.m, spec: schema.m, onChange: w.set('m') }),
        n: sliderField({ label: t.n, spec: schema.n, onChange: w.set('n') }),
        shift: sliderField({ label: t.shift, spec: { ...schema.shift, max: 4096 }, onChange: w.set('shift') }),
      };
      const scoreLine = h('p', { class: 'big-number', 'aria-live': 'polite' });
      const diffLine = h('p', { class: 'note' });
      const checkLine = h('p', { class: 'note' });
      w.body.append(h('div', { class: 'subpanel' },
        h('div', { class: 'controls' }, ...Object.values(relControls).map((c) => c.element)), scoreLine, diffLine, checkLine));

      const spanControl = sliderField({ label: t.span, spec: schema.span, scale: 'log', onChange: w.set('span') });
      w.body.append(h('div', { class: 'controls' }, spanControl.element));
      const decay = w.figure({ name: 'decay', label: t.decay, className: 'fig-wide', caption: t.decayCap,
        height: (width) => Math.min(320, Math.max(220, width * 0.4)),
        csv: () => ({ header: ['distance', 'score'], rows: Array.from(view.curve.scores, (v, i) => [view.curve.distances[i], v]) }) });

      const pairLut = createLut(VIRIDIS);
      let view = null;
      let playing = false;
      let userPlay = false;
      let timer = 0;
      let visible = true;
      let localPos = 0;

      function pairOfCoordinate(c, s) {
        return s.layout === 'half' ? c % (s.dim / 2) : Math.floor(c / 2);
      }

      /** Unit vectors (1, 0) in every pair, rotated to `pos` by the package. */
      function rotated(s, f, pos) {
        const x = new Float32Array(s.dim);
        for (let i = 0; i < s.dim / 2; i++) x[s.layout === 'half' ? i : 2 * i] = 1;
        const y = pe.rope.apply(x, { shape: [1, 1, s.dim], frequencies: f, layout: s.layout, positions: [pos] });
        const pairs = pairsOf(s.dim);
        return { pairs, xy: pairs.map((i) => (s.layout === 'half' ? [y[i], y[i + s.dim / 2]] : [y[2 * i], y[2 * i + 1]])) };
      }

      function paintCircles() {
        const { s, f } = view;
        const { pairs, xy } = rotated(s, f, localPos);
        view.pairs = pairs;
        view.xy = xy;
        view.pos = localPos;
        // The Position field follows the animation (unless the reader is typing in it).
        const posField = controls.pos.element.querySelector('input');
        if (w.root.getRootNode().activeElement !== posField) controls.pos.set(localPos);
        circles.setCaption(t.circlesCap(localPos));
        circles.setLabel(`${t.circles}: ${pairs.map((p, j) => `${t.pair} ${p}: (${fmt(xy[j][0])}, ${fmt(xy[j][1])})`).join('; ')}`);
        circles.paint((ctx, { width, height, colours }) => {
          const tips = [];
          const cols = width < 520 ? 2 : 4;
          const cw = width / cols;
          const ch = height / Math.ceil(pairs.length / cols);
          pairs.forEach((p, j) => {
            const cx = (j % cols) * cw + cw / 2;
            const cy = Math.floor(j / cols) * ch + (ch - 56) / 2 + 4;
            const r = Math.max(10, Math.min(cw, ch - 56) / 2 - 12);
            ctx.strokeStyle = colours.line;
            ctx.lineWidth = 1.5;
            ctx.beginPath();
            ctx.arc(cx, cy, r, 0, 2 * Math.PI);
            ctx.moveTo(cx - r, cy);
            ctx.lineTo(cx + r, cy);
            ctx.moveTo(cx, cy - r);
            ctx.lineTo(cx, cy + r);
            ctx.stroke();
            // The starting direction (position 0), faint.
            ctx.globalAlpha = 0.35;
            arrow(ctx, cx, cy, cx + r, cy, colours.muted, 1.5);
            ctx.globalAlpha = 1;
            const [x, y] = xy[j];
            arrow(ctx, cx, cy, cx + x * r, cy - y * r, CATEGORIES[j % CATEGORIES.length], 3);
            tips.push([cx + x * r, cy - y * r]);
            ctx.fillStyle = colours.ink;
            ctx.font = FONT;
            ctx.textAlign = 'center';
            ctx.textBaseline = 'top';
            ctx.fillText(`${t.pair} i = ${p}`, cx, cy + r + 6);
            ctx.font = SMALL;
            ctx.fillStyle = colours.muted;
            ctx.fillText(`θ = ${fmt(f.invFreq[p])} ${t.rad}`, cx, cy + r + 21);
            ctx.fillText(`λ = ${fmt(view.wl[p])}`, cx, cy + r + 35);
          });
          mark(ctx, { kind: 'points', rect: { x: 0, y: 0, w: width, h: height }, pts: tips,
            text: (j) => readoutText(ctx, [`${t.pair} i = ${pairs[j]}`, `${localPos} × θ = ${fmt(localPos * f.invFreq[pairs[j]], 4)} rad`], `(${fmt(xy[j][0])}, ${fmt(xy[j][1])})`) });
        });
      }

      function paintStrip() {
        const { s } = view;
        strip.setCaption(t.layoutCap(s.layout));
        strip.paint((ctx, { width, colours }) => {
          const n = s.dim;
          const x0 = 8;
          const cw = (width - 16) / n;
          for (let c = 0; c < n; c++) {
            // One colour per pair, running through the pair index: no colour repeats for another pair.
            const k = Math.round((pairOfCoordinate(c, s) / Math.max(1, n / 2 - 1)) * (pairLut.size - 1));
            ctx.fillStyle = `rgb(${pairLut.bytes[4 * k]}, ${pairLut.bytes[4 * k + 1]}, ${pairLut.bytes[4 * k + 2]})`;
            ctx.fillRect(x0 + c * cw, 8, Math.max(1, cw - (cw > 4 ? 1 : 0)), 26);
          }
          ctx.fillStyle = colours.muted;
          ctx.font = SMALL;
          ctx.textBaseline = 'top';
          ctx.textAlign = 'left';
          ctx.fillText('x0', x0, 40);
          ctx.textAlign = 'center';
          ctx.fillText(`x${n / 2}`, x0 + (n / 2 + 0.5) * cw, 40);
          ctx.textAlign = 'right';
          ctx.fillText(`x${n - 1}`, width - 8, 40);
          mark(ctx, { kind: 'grid', rect: { x: x0, y: 8, w: width - 16, h: 26 }, rows: 1, cols: n,
            text: (_, c) => readoutText(ctx, [`x${c}`], `${t.pair} ${pairOfCoordinate(c, s)}`) });
        });
      }

      function setPlaying(on) {
        playing = on;
        playButton.textContent = on ? t.pause : t.play;
        playButton.setAttribute('aria-pressed', String(on));
        motionNote.hidden = !(view?.s.play && reduced.matches && !userPlay && !on);
        if (timer) clearInterval(timer);
        timer = 0;
        if (on && visible) {
          timer = setInterval(() => {
            localPos = localPos >= schema.pos.max ? 0 : localPos + 1;
            paintCircles();
          }, 1000 / STEPS_PER_SECOND);
        }
      }
      playButton.addEventListener('click', () => {
        userPlay = true;
        if (playing) {
          setPlaying(false);
          w.change({ play: false, pos: localPos });
        } else {
          setPlaying(true);
          w.change({ play: true });
        }
      });
      const io = new IntersectionObserver((entries) => {
        visible = entries.some((e) => e.isIntersecting);
        setPlaying(playing);
      });
      io.observe(w.root);

      function render(s) {
        const prev = view?.s;
        const f = pe.rope.frequencies({ head_dim: s.dim, rope_theta: s.theta });
        view = { ...view, s, f, wl: pe.rope.wavelengths(f) };
        if (!prev || prev.pos !== s.pos || !s.play) localPos = s.pos;
        paintCircles();
        paintStrip();

        // Relative property: the package rotates q to m + s and k to n + s.
        const q = uniform(s.dim, 101);
        const k = uniform(s.dim, 202);
        const a = s.m + s.shift;
        const b = s.n + s.shift;
        const qr = pe.rope.apply(q, { shape: [1, 1, s.dim], frequencies: f, layout: s.layout, positions: [a] });
        const kr = pe.rope.apply(k, { shape: [1, 1, s.dim], frequencies: f, layout: s.layout, positions: [b] });
        relControls.m.set(s.m);
        relControls.n.set(s.n);
        relControls.shift.set(s.shift);
        spanControl.set(s.span);
        scoreLine.textContent = t.score(a, b, s.shift, dot(qr, kr).toFixed(4));
        diffLine.textContent = t.sameDiff(s.m - s.n);
        const check = (!prev || prev.dim !== s.dim || prev.theta !== s.theta || prev.layout !== s.layout || prev.m !== s.m || prev.n !== s.n)
          ? relativeCheck(pe, { frequencies: f, q, k, layout: s.layout, distances: [s.m - s.n], samples: 16 }) : view.check;
        view.check = check;
        checkLine.textContent = check ? t.check(check) : '';
        checkLine.hidden = !check;

        const curve = relativeScores(pe, { method: 'rope', frequencies: f, layout: s.layout, range: [0, s.span] });
        view.curve = curve;
        decay.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 52, top: 10, right: 12, bottom: 40 });
          let lo = Infinity;
          let hi = -Infinity;
          for (const v of curve.scores) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
          const map = axes(ctx, rect, { lo: 0, hi: s.span, label: t.distance }, { lo: Math.min(0, lo), hi, label: t.scoreAxis }, colours);
          series(ctx, map, { xs: Array.from(curve.distances), ys: curve.scores, colour: colours.series[0], width: 1.5, readout: true }, rect);
        });

        const want = s.play && (!reduced.matches || userPlay);
        if (want !== playing || !prev) setPlaying(want);
        else motionNote.hidden = !(s.play && reduced.matches && !userPlay && !playing);
      }
      return {
        controls,
        render,
        destroy() {
          if (timer) clearInterval(timer);
          io.disconnect();
        },
      };
    },
  });
}
