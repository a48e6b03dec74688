// SPDX-License-Identifier: MIT
// A figure: a canvas that fills its box at the device's pixel ratio, redrawn when its width or the
// colour theme changes, with PNG and CSV buttons. The widget gives it a paint function:
//
//   const fig = createFigure({ lang, name: 'rope-decay', label: 'Decay curve', height: (w) => w / 2,
//                              csv: () => ({ header: ['distance', 'score'], rows }) });
//   fig.paint((ctx, { width, height, colours }) => { ... });
//
// Readouts: what the paint function draws with heatmap(), series({ readout }) or mark() (plot.js)
// is a target, listed in fig.targets; the canvas is then focusable, and pointer, touch and keys are
// handled by lib/readout.js, loaded on the first of them. `scope`: the figures (of one widget) whose
// readouts highlight each other's linked positions.
import { downloadCsv, downloadPng } from './export.js';
import { h } from './dom.js';
import { COMMON } from './i18n.js';
import { TARGETS, themeColours } from './plot.js';

const live = new Set();
let schemeListener = false;

/** Redraw every figure on the page (after a theme change). */
export function redrawAll() {
  for (const fig of live) fig.redraw();
}

let loading = null;  // import('./readout.js'), once per page
let module = null;

export function createFigure({ lang = 'en', name, label, height, csv, caption, className = '', scope = new Set() }) {
  const c = COMMON[lang] ?? COMMON.en;
  const canvas = h('canvas', { class: 'fig-canvas', role: 'img', 'aria-label': label });
  const box = h('div', { class: 'fig-box' }, canvas);
  const captionEl = h('figcaption', { class: 'fig-caption' }, caption ?? label);
  const pngButton = h('button', { type: 'button', class: 'button small', 'aria-label': c.downloadPng(label) }, c.png);
  const csvButton = h('button', { type: 'button', class: 'button small', 'aria-label': c.downloadCsv(label) }, c.csv);
  const element = h('figure', { class: `fig ${className}`.trim(), dataset: { figure: name } },
    box, h('div', { class: 'fig-foot' }, captionEl, h('div', { class: 'fig-tools' }, pngButton, csv ? csvButton : null)));
  pngButton.addEventListener('click', () => downloadPng(canvas, `posenc-${name}.png`));
  csvButton.addEventListener('click', () => {
    const data = csv?.();
    if (data) downloadCsv(`posenc-${name}.csv`, data.header, data.rows);
  });

  let painter = null;
  let frame = 0;
  let lastWidth = 0;
  let ctl = null;  // the readout (lib/readout.js), made on the first interaction
  const readout = () => (ctl ??= module.attach({ fig, canvas, box, element, scope }));
  // Pointer, touch, focus and keys load the readout code once for the page, then go to it.
  for (const type of ['pointermove', 'pointerdown', 'pointerleave', 'focus', 'blur', 'keydown']) {
    canvas.addEventListener(type, (e) => (module ? readout().handle(e)
      : (loading ??= import('./readout.js').then((m) => { module = m; })).then(() => readout().handle(e))));
  }

  const fig = {
    element,
    canvas,
    /** Set the paint function and draw now. */
    paint(fn) {
      painter = fn;
      fig.redraw();
    },
    redraw() {
      if (!painter) return;
      const width = box.clientWidth;
      if (!width) return;
      lastWidth = width;
      const cssH = Math.round(height(width));
      const dpr = window.devicePixelRatio || 1;
      canvas.style.height = `${cssH}px`;
      const W = Math.round(width * dpr);
      const H = Math.round(cssH * dpr);
      if (canvas.width !== W) canvas.width = W;
      if (canvas.height !== H) canvas.height = H;
      const ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const colours = themeColours(element);
      ctx.fillStyle = colours.surface;
      ctx.fillRect(0, 0, width, cssH);
      fig.targets = Object.assign([], { lang });
      TARGETS.set(canvas, fig.targets);
      painter(ctx, { width, height: cssH, colours, dpr });
      element.dataset.painted = String(Number(element.dataset.painted ?? 0) + 1);
      // Written only when they change (each write invalidates the page's style).
      const n = fig.targets.length;
      if (element.dataset.readout !== String(n)) element.dataset.readout = String(n);
      if (canvas.tabIndex !== (n ? 0 : -1)) canvas.tabIndex = n ? 0 : -1;
      ctl?.painted();
    },
    targets: [],
    /** The readout of this figure, once the page has loaded lib/readout.js (else null). */
    readout: () => module && readout(),
    setLabel(text) {
      canvas.setAttribute('aria-label', text);
    },
    setCaption(...nodes) {
      captionEl.replaceChildren(...nodes);
    },
    destroy() {
      live.delete(fig);
      scope.delete(fig);
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
    },
  };
  const observer = new ResizeObserver(() => {
    if (box.clientWidth !== lastWidth && !frame) {
      frame = requestAnimationFrame(() => { frame = 0; fig.redraw(); });
    }
  });
  observer.observe(box);
  live.add(fig);
  scope.add(fig);
  if (!schemeListener) {
    schemeListener = true;
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', redrawAll);
  }
  return fig;
}
