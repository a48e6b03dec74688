// SPDX-License-Identifier: MIT
// A figure: a canvas that fills its box at the device's pixel ratio, redrawn when its width or the
// colour theme changes, with PNG and CSV buttons. The widget gives it a paint function:
//
//   const fig = createFigure({ lang, name: 'rope-decay', label: 'Decay curve', height: (w) => w / 2,
//                              csv: () => ({ header: ['distance', 'score'], rows }) });
//   fig.paint((ctx, { width, height, colours }) => { ... });
//
// Readouts: what the paint function draws with heatmap(), series({ readout }) or mark() (plot.js)
// is a target. Pointer, tap and, on the focused canvas, the arrow keys (Escape hides) move a cursor
// over it; the value under the cursor is written as text into an aria-live <output> beside the
// point, which an overlay canvas outlines. A target's links put values on named channels: the
// figures of one `scope` (a widget's) that show the same channel highlight the same positions.
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

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
/** A link's key: given, or the index (rows, columns, points), or j − i (cells). */
const keyOf = (l) => l.key ?? (l.axis === 'cell' ? (r, c) => c - r : (i) => i);

export function createFigure({ lang = 'en', name, label, height, csv, caption, className = '', scope = new Set() }) {
  const c = COMMON[lang] ?? COMMON.en;
  const canvas = h('canvas', { class: 'fig-canvas', role: 'img', 'aria-label': label, 'aria-keyshortcuts': 'ArrowLeft ArrowRight ArrowUp ArrowDown Escape' });
  const overlay = h('canvas', { class: 'fig-overlay', 'aria-hidden': 'true' });
  const tip = h('output', { class: 'fig-readout', 'aria-live': 'polite', hidden: true });
  const box = h('div', { class: 'fig-box' }, canvas, overlay, tip);
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
  let targets = [];
  let cursor = null;        // { t, r, c } on a grid, { t, i } on points
  let incoming = new Map(); // channel -> values highlighted here
  const at = ({ t, r, c, i }) => {
    const T = targets[t];
    return T.kind === 'grid' ? [T.rect.x + ((c + 0.5) * T.rect.w) / T.cols, T.rect.y + ((r + 0.5) * T.rect.h) / T.rows] : T.pts[i];
  };
  /** The cell or point of target t nearest to (x, y). */
  const nearest = (t, x, y) => {
    const T = targets[t];
    if (T.kind === 'grid') {
      return { t, r: clamp(Math.floor(((y - T.rect.y) / T.rect.h) * T.rows), 0, T.rows - 1), c: clamp(Math.floor(((x - T.rect.x) / T.rect.w) * T.cols), 0, T.cols - 1) };
    }
    let best = 0;
    let d = Infinity;
    T.pts.forEach(([X, Y], i) => {
      const e = Math.abs(X - x) * 4 + Math.abs(Y - y);
      if (e < d) { d = e; best = i; }
    });
    return T.pts.length ? { t, i: best, d } : null;
  };
  const inside = ({ rect }, x, y, m) => x >= rect.x - m && x <= rect.x + rect.w + m && y >= rect.y - m && y <= rect.y + rect.h + m;
  const hit = (x, y) => {
    const grid = targets.findIndex((T) => T.kind === 'grid' && inside(T, x, y, 0));
    if (grid >= 0) return nearest(grid, x, y);
    let best = null;
    targets.forEach((T, t) => {
      const p = T.kind === 'points' && inside(T, x, y, 12) && nearest(t, x, y);
      if (p && !(best?.d <= p.d)) best = p;
    });
    return best;
  };
  const emit = () => {
    const T = cursor && targets[cursor.t];
    const values = new Map();
    for (const l of T?.links ?? []) {
      const key = keyOf(l);
      const v = T.kind === 'grid' ? (l.axis === 'col' ? key(cursor.c) : l.axis === 'cell' ? key(cursor.r, cursor.c) : key(cursor.r)) : key(cursor.i);
      values.set(l.ch, [...(values.get(l.ch) ?? []), v]);
    }
    for (const f of scope) f.highlight(values, f === fig ? cursor?.t : -1);
  };
  const show = (cur) => {
    cursor = cur && targets[cur.t] ? cur : null;
    tip.hidden = !cursor;
    delete element.dataset.cursor;
    if (cursor) {
      const T = targets[cursor.t];
      tip.textContent = T.kind === 'grid' ? T.text(cursor.r, cursor.c) : T.text(cursor.i);
      element.dataset.cursor = T.kind === 'grid' ? `${cursor.t}:${cursor.r},${cursor.c}` : `${cursor.t}:${cursor.i}`;
      const [x, y] = at(cursor);
      const w = tip.offsetWidth;
      const th = tip.offsetHeight;
      tip.style.left = `${clamp(x + 14 + w > box.clientWidth ? x - 14 - w : x + 14, 0, Math.max(0, box.clientWidth - w))}px`;
      tip.style.top = `${clamp(y + 14 + th > box.clientHeight ? y - 14 - th : y + 14, 0, Math.max(0, box.clientHeight - th))}px`;
    }
    emit();
  };
  let source = -1;
  const drawOverlay = () => {
    const dpr = window.devicePixelRatio || 1;
    overlay.width = canvas.width;
    overlay.height = canvas.height;
    overlay.style.height = canvas.style.height;
    const ctx = overlay.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { ink, surface } = themeColours(element);
    const ring = (x, y, w, hh) => {
      ctx.strokeStyle = surface;
      ctx.lineWidth = 4;
      ctx.strokeRect(x, y, w, hh);
      ctx.strokeStyle = ink;
      ctx.lineWidth = 2;
      ctx.strokeRect(x, y, w, hh);
    };
    const dot = ([x, y], T) => {
      ctx.globalAlpha = 0.5;
      ring(x, T.rect.y, 0, T.rect.h);
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.arc(x, y, 5, 0, 2 * Math.PI);
      ctx.fillStyle = ink;
      ctx.fill();
    };
    let linked = 0;
    targets.forEach((T, t) => {
      if (t === source) return;
      const cw = T.rect.w / T.cols;
      const ch = T.rect.h / T.rows;
      for (const l of T.links ?? []) {
        const values = incoming.get(l.ch);
        if (!values) continue;
        const key = keyOf(l);
        if (T.kind === 'points') {
          T.pts.forEach((p, i) => { if (values.includes(key(i))) { dot(p, T); linked += 1; } });
        } else if (l.axis === 'cell') {
          for (let r = 0; r < T.rows; r++) {
            for (let c2 = 0; c2 < T.cols; c2++) if (values.includes(key(r, c2))) { ring(T.rect.x + c2 * cw, T.rect.y + r * ch, cw, ch); linked += 1; }
          }
        } else {
          const n = l.axis === 'col' ? T.cols : T.rows;
          for (let i = 0; i < n; i++) {
            if (!values.includes(key(i))) continue;
            linked += 1;
            if (l.axis === 'col') ring(T.rect.x + i * cw, T.rect.y, cw, T.rect.h);
            else ring(T.rect.x, T.rect.y + i * ch, T.rect.w, ch);
          }
        }
      }
    });
    element.dataset.linked = String(linked);
    if (cursor) {
      const T = targets[cursor.t];
      if (T.kind === 'grid') {
        const cw = Math.max(3, T.rect.w / T.cols);
        const ch = Math.max(3, T.rect.h / T.rows);
        const [x, y] = at(cursor);
        ring(x - cw / 2, y - ch / 2, cw, ch);
      } else {
        dot(at(cursor), T);
      }
    }
  };
  const move = (e) => {
    const b = canvas.getBoundingClientRect();
    show(hit(e.clientX - b.left, e.clientY - b.top));
  };
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerdown', move);
  canvas.addEventListener('pointerleave', (e) => { if (e.pointerType === 'mouse' && !canvas.matches(':focus')) show(null); });
  canvas.addEventListener('focus', () => show(cursor ?? (targets.length ? nearest(0, 0, 0) : null)));
  canvas.addEventListener('blur', () => show(null));
  canvas.addEventListener('keydown', (e) => {
    if (!cursor) return;
    const T = targets[cursor.t];
    const dx = { ArrowRight: 1, ArrowLeft: -1 }[e.key] ?? 0;
    const dy = { ArrowDown: 1, ArrowUp: -1 }[e.key] ?? 0;
    if (e.key === 'Escape') show(null);
    else if (!dx && !dy) return;
    else if (T.kind === 'grid') {
      const r = cursor.r + dy;
      const c2 = cursor.c + dx;
      const next = cursor.t + dx + dy;
      if (r >= 0 && r < T.rows && c2 >= 0 && c2 < T.cols) show({ t: cursor.t, r, c: c2 });
      else if (next >= 0 && next < targets.length) show(nearest(next, ...at(cursor)));
    } else if (dx) {
      show({ t: cursor.t, i: clamp(cursor.i + dx * (e.shiftKey ? Math.ceil(T.pts.length / 10) : 1), 0, T.pts.length - 1) });
    } else {
      show(nearest((cursor.t + dy + targets.length) % targets.length, ...at(cursor)) ?? cursor);
    }
    e.preventDefault();
  });

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
      targets = Object.assign([], { lang });
      TARGETS.set(canvas, targets);
      painter(ctx, { width, height: cssH, colours, dpr });
      element.dataset.painted = String(Number(element.dataset.painted ?? 0) + 1);
      element.dataset.readout = String(targets.length);
      canvas.tabIndex = targets.length ? 0 : -1;
      // The cursor stays where it was (the text follows the new values), or goes if its cell did.
      if (cursor) {
        const T = targets[cursor.t];
        show(T && (T.kind === 'grid' ? cursor.r < T.rows && cursor.c < T.cols : cursor.i < T.pts.length) ? cursor : null);
      } else {
        drawOverlay();
      }
    },
    /** Highlight what figures of the scope put on the channels (target `from` is the cursor's own). */
    highlight(values, from) {
      incoming = values;
      source = from;
      drawOverlay();
    },
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
