// SPDX-License-Identifier: MIT
// Widget: heatmap of the sinusoidal position table, positions down and dimensions across.
// The table comes from pe.sinusoidal() (the page never computes an encoding itself); it is painted
// into an ImageData at table resolution (one pixel per value) and scaled onto the canvas without
// smoothing, so that large tables stay fast.
//
//   const w = createSinusoidalHeatmap(container, { pe, state, onChange });
//   w.update(state);   // state: { length, dim, base, layout }, see stateSchema
//   w.destroy();
import { createLut, paintRamp, paintValues } from '../lib/colormap.js';
import { selectField, sliderField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { normalise, serialise } from '../lib/state.js';

/** The widget's settings (URL hash keys), kept within what pe.sinusoidal accepts and what draws fast. */
export const stateSchema = Object.freeze({
  length: { type: 'int', default: 128, min: 1, max: 2048 },
  dim: { type: 'int', default: 128, min: 4, max: 1024, step: 2 },
  base: { type: 'number', default: 10000, min: 2, max: 1e6 },
  layout: { type: 'enum', default: 'vaswani', values: ['vaswani', 'fairseq'] },
});

const LAYOUTS = [
  { value: 'vaswani', label: 'vaswani (interleaved)' },
  { value: 'fairseq', label: 'fairseq (halves)' },
];

// Space around the plot, in CSS pixels, for the axis titles and tick labels.
const MARGIN = { left: 56, top: 36, right: 8, bottom: 4 };
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** The caption: the formula of `layout`, as text and <sup>/<sub> nodes (never HTML strings). */
function formula({ layout, base, dim }) {
  const sup = (t) => h('sup', {}, t);
  const sub = (t) => h('sub', {}, t);
  const given = `; b = ${base}, d = ${dim}`;
  if (layout === 'fairseq') {
    return [
      h('strong', {}, 'fairseq'), ': PE(p, k) = sin(p\u00b7w', sub('k'), '), PE(p, d/2+k) = cos(p\u00b7w', sub('k'),
      '), w', sub('k'), ' = b', sup('\u2212k/(d/2\u22121)'), ', k = 0\u2026d/2\u22121', given,
    ];
  }
  return [
    h('strong', {}, 'vaswani'), ': PE(p, 2i) = sin(p/b', sup('2i/d'), '), PE(p, 2i+1) = cos(p/b', sup('2i/d'), ')', given,
  ];
}

/** Tick positions 0, step, 2*step, ... < n with a 1-2-5 step giving at most about `max` ticks. */
function ticks(n, max) {
  if (n <= 1) return [0];
  const raw = (n - 1) / Math.max(1, max);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw));
  const out = [];
  for (let t = 0; t < n; t += step) out.push(t);
  return out;
}

function ms(t) {
  return t < 1 ? t.toFixed(2) : t < 100 ? t.toFixed(1) : t.toFixed(0);
}

export function createSinusoidalHeatmap(container, { pe, state, onChange = () => {} }) {
  const lut = createLut();
  const set = (key) => (value) => onChange({ [key]: value });

  const controls = {
    length: sliderField({ label: 'Length (positions)', spec: stateSchema.length, onChange: set('length') }),
    dim: sliderField({ label: 'Dimension d', spec: stateSchema.dim, onChange: set('dim') }),
    base: sliderField({ label: 'Base b', spec: stateSchema.base, scale: 'log', onChange: set('base') }),
    layout: selectField({ label: 'Layout', choices: LAYOUTS, onChange: set('layout') }),
  };

  const canvas = h('canvas', { class: 'heatmap-canvas', role: 'img' });
  const plotBox = h('div', { class: 'plot-box' }, canvas);
  const legendBar = h('canvas', { class: 'legend-bar', 'aria-hidden': 'true' });
  paintRamp(legendBar, lut);
  const readout = h('span', { class: 'readout' });
  const caption = h('figcaption', { class: 'formula' });
  const error = h('p', { class: 'widget-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'widget-status' });
  const root = h('section', { class: 'widget', 'aria-label': 'Sinusoidal position table' },
    h('header', { class: 'widget-head' },
      h('h2', {}, 'Sinusoidal position table'),
      h('p', {}, 'Row p is the vector added to the token embedding at position p. ' +
        'Low dimensions oscillate fast, high ones slowly; the base sets the longest wavelength.')),
    h('div', { class: 'controls', role: 'group', 'aria-label': 'Table settings' },
      Object.values(controls).map((c) => c.element)),
    h('figure', { class: 'plot' },
      plotBox,
      h('div', { class: 'plot-foot' },
        h('div', { class: 'legend', 'aria-label': 'Colour scale: blue \u22121, white 0, red +1', role: 'img' },
          legendBar, h('span', { class: 'legend-min' }, '\u22121'), h('span', { class: 'legend-mid' }, '0'),
          h('span', { class: 'legend-max' }, '+1')),
        readout),
      caption),
    error,
    status);
  container.append(root);

  let current = null;     // the normalised state shown
  let table = null;       // { key, values, image, length, dim, layout, ms }
  let geometry = null;    // plot rectangle of the last draw, CSS pixels
  let draws = 0;
  const offscreen = document.createElement('canvas');

  function compute(s) {
    const key = serialise(stateSchema, s);
    if (table?.key === key) return true;
    table = null;
    try {
      const t0 = performance.now();
      const values = pe.sinusoidal({ length: s.length, dim: s.dim, base: s.base, layout: s.layout });
      const elapsed = performance.now() - t0;
      const image = new ImageData(s.dim, s.length);
      paintValues(image, values, lut);
      offscreen.width = s.dim;
      offscreen.height = s.length;
      offscreen.getContext('2d').putImageData(image, 0, 0);
      table = { key, values, length: s.length, dim: s.dim, layout: s.layout, ms: elapsed };
      error.hidden = true;
      error.textContent = '';
      return true;
    } catch (e) {
      error.textContent = `The table could not be computed: ${e instanceof Error ? e.message : String(e)}`;
      error.hidden = false;
      root.dataset.status = 'error';
      delete root.dataset.drawn;
      return false;
    }
  }

  function draw() {
    const width = plotBox.clientWidth;
    if (!width) return;
    const dpr = window.devicePixelRatio || 1;
    const ctx = canvas.getContext('2d');
    const n = table ?? { length: current.length, dim: current.dim };
    const plotW = Math.max(32, width - MARGIN.left - MARGIN.right);
    const maxH = Math.max(220, Math.min(560, window.innerHeight * 0.7));
    const plotH = Math.round(Math.min(maxH, Math.max(160, (plotW * n.length) / n.dim)));
    const cssH = plotH + MARGIN.top + MARGIN.bottom;
    canvas.style.height = `${cssH}px`;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(cssH * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.imageSmoothingEnabled = false;
    geometry = { left: MARGIN.left, top: MARGIN.top, width: plotW, height: plotH };
    canvas.dataset.plot = [MARGIN.left, MARGIN.top, plotW, plotH].map((v) => Math.round(v * dpr)).join(',');

    const style = getComputedStyle(canvas);
    const ink = style.color;
    const muted = style.getPropertyValue('--muted').trim() || ink;
    if (table) {
      ctx.drawImage(offscreen, 0, 0, table.dim, table.length, MARGIN.left, MARGIN.top, plotW, plotH);
    } else {
      ctx.strokeStyle = muted;
      ctx.strokeRect(MARGIN.left + 0.5, MARGIN.top + 0.5, plotW - 1, plotH - 1);
    }

    // Axes: "dimension" across the top, "position" down the left, ticks at cell centres.
    ctx.font = FONT;
    ctx.fillStyle = muted;
    ctx.strokeStyle = muted;
    ctx.lineWidth = 1;
    const cellW = plotW / n.dim;
    const cellH = plotH / n.length;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.beginPath();
    for (const t of ticks(n.dim, Math.floor(plotW / 56))) {
      const x = Math.round(MARGIN.left + (t + 0.5) * cellW) + 0.5;
      ctx.moveTo(x, MARGIN.top - 4);
      ctx.lineTo(x, MARGIN.top);
      ctx.fillText(String(t), x, MARGIN.top - 7);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(n.length, Math.floor(plotH / 36))) {
      const y = Math.round(MARGIN.top + (t + 0.5) * cellH) + 0.5;
      ctx.moveTo(MARGIN.left - 4, y);
      ctx.lineTo(MARGIN.left, y);
      ctx.fillText(String(t), MARGIN.left - 7, y);
    }
    ctx.stroke();
    ctx.fillStyle = ink;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText('dimension \u2192', MARGIN.left, 2);
    ctx.save();
    ctx.translate(4, MARGIN.top);
    ctx.rotate(Math.PI / 2);
    ctx.textBaseline = 'bottom';
    ctx.fillText('position \u2192', 0, 0);
    ctx.restore();

    draws += 1;
    root.dataset.draws = String(draws);
    if (table) {
      root.dataset.status = 'ready';
      root.dataset.drawn = table.key;
    }
  }

  function describe(s) {
    canvas.setAttribute('aria-label', `Heatmap of the ${s.layout} sinusoidal table: ${s.length} positions (rows) by ` +
      `${s.dim} dimensions (columns), base ${s.base}. Blue is \u22121, white 0, red +1.`);
    caption.replaceChildren(...formula(s));
    const build = pe.simd ? 'SIMD build' : 'baseline build (no SIMD)';
    status.textContent = table
      ? `${build} (${pe.arch}) \u00b7 ${table.length} \u00d7 ${table.dim} table computed in ${ms(table.ms)} ms`
      : `${build} (${pe.arch})`;
  }

  function update(next) {
    const s = normalise(stateSchema, next);
    for (const [key, control] of Object.entries(controls)) control.set(s[key]);
    const same = current && serialise(stateSchema, current) === serialise(stateSchema, s);
    current = s;
    if (same && table) return;
    compute(s);
    readout.textContent = '';
    describe(s);
    draw();
  }

  // Readout of the value under the pointer.
  function onPointerMove(event) {
    if (!table || !geometry) return;
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left - geometry.left;
    const y = event.clientY - rect.top - geometry.top;
    const col = Math.floor((x / geometry.width) * table.dim);
    const row = Math.floor((y / geometry.height) * table.length);
    if (x < 0 || y < 0 || col >= table.dim || row >= table.length) {
      readout.textContent = '';
      return;
    }
    const fn = table.layout === 'fairseq' ? (col < table.dim / 2 ? 'sin' : 'cos') : (col % 2 ? 'cos' : 'sin');
    readout.textContent = `p = ${row}, column ${col} (${fn}): ${table.values[row * table.dim + col].toFixed(4)}`;
  }
  const onPointerLeave = () => { readout.textContent = ''; };
  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerleave', onPointerLeave);

  // Redraw (without recomputing) when the width or the colour scheme changes. The redraw runs in the
  // next frame: changing the canvas height inside the observer would re-trigger it in the same frame.
  let lastWidth = 0;
  let frame = 0;
  const redrawSoon = () => {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; if (current) draw(); });
  };
  const observer = new ResizeObserver(() => {
    if (plotBox.clientWidth !== lastWidth) {
      lastWidth = plotBox.clientWidth;
      redrawSoon();
    }
  });
  observer.observe(plotBox);
  const scheme = window.matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', redrawSoon);

  update(state);

  return {
    element: root,
    update,
    destroy() {
      observer.disconnect();
      scheme.removeEventListener('change', redrawSoon);
      if (frame) cancelAnimationFrame(frame);
      canvas.removeEventListener('pointermove', onPointerMove);
      canvas.removeEventListener('pointerleave', onPointerLeave);
      root.remove();
    },
  };
}
