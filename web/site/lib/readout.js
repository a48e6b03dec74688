// SPDX-License-Identifier: MIT
// The readout of a figure (lib/figure.js loads this module on the first pointer, touch, focus or
// key event on any figure of the page). Its targets (fig.targets, registered while it paints by
// heatmap(), series({ readout }) and mark() of lib/plot.js) are grids of cells or lists of points.
// Pointer and tap pick the cell or nearest point; on the focused canvas the arrow keys move (past
// an edge, to the next target; Shift moves by a tenth of a series) and Escape hides. The text of
// the target for that cell or point is written into an aria-live <output> beside it (textContent:
// nothing is parsed as HTML), an overlay canvas outlines it, and the target's links put values on
// channels: every figure of the same scope outlines its cells, rows, columns or points whose keys
// on that channel are equal.
import { themeColours } from './plot.js';

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
/** A link's key: given, or the index (rows, columns, points), or j − i (cells). */
const keyOf = (l) => l.key ?? (l.axis === 'cell' ? (r, c) => c - r : (i) => i);
const KEYS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

export function attach({ fig, canvas, box, element, scope }) {
  const overlay = document.createElement('canvas');
  overlay.className = 'fig-overlay';
  overlay.setAttribute('aria-hidden', 'true');
  const tip = document.createElement('output');
  tip.className = 'fig-readout';
  tip.setAttribute('aria-live', 'polite');
  tip.hidden = true;
  box.append(overlay, tip);
  let cursor = null;         // { t, r, c } on a grid, { t, i } on points
  let incoming = new Map();  // channel -> the values highlighted here
  let source = -1;           // the target holding this figure's own cursor (not highlighted)
  const T = (t) => fig.targets[t];

  /** Canvas coordinates (CSS pixels) of a cell's centre or of a point. */
  const at = ({ t, r, c, i }) => {
    const { kind, rect, rows, cols, pts } = T(t);
    return kind === 'grid' ? [rect.x + ((c + 0.5) * rect.w) / cols, rect.y + ((r + 0.5) * rect.h) / rows] : pts[i];
  };
  /** The cell or point of target t nearest to (x, y), with its distance (points weigh x more). */
  const nearest = (t, x, y) => {
    const { kind, rect, rows, cols, pts } = T(t);
    if (kind === 'grid') {
      return { t, r: clamp(Math.floor(((y - rect.y) / rect.h) * rows), 0, rows - 1), c: clamp(Math.floor(((x - rect.x) / rect.w) * cols), 0, cols - 1), d: 0 };
    }
    let best = null;
    pts.forEach(([X, Y], i) => {
      const d = Math.abs(X - x) * 4 + Math.abs(Y - y);
      if (!(best?.d <= d)) best = { t, i, d };
    });
    return best;
  };
  /** The grid cell under (x, y), else the nearest point of a target within 12 px. */
  const hit = (x, y) => {
    let best = null;
    fig.targets.forEach(({ kind, rect }, t) => {
      const m = kind === 'grid' ? 0 : 12;
      if (x < rect.x - m || x > rect.x + rect.w + m || y < rect.y - m || y > rect.y + rect.h + m) return;
      const p = nearest(t, x, y);
      if (p && !(best?.d <= p.d)) best = p;
    });
    return best;
  };
  const valid = (cur) => {
    const U = cur && T(cur.t);
    return U && (U.kind === 'grid' ? cur.r < U.rows && cur.c < U.cols : cur.i < U.pts.length) ? cur : null;
  };

  function show(cur) {
    cursor = valid(cur);
    tip.hidden = !cursor;
    delete element.dataset.cursor;
    const values = new Map();
    if (cursor) {
      const U = T(cursor.t);
      const grid = U.kind === 'grid';
      tip.textContent = grid ? U.text(cursor.r, cursor.c) : U.text(cursor.i);
      element.dataset.cursor = grid ? `${cursor.t}:${cursor.r},${cursor.c}` : `${cursor.t}:${cursor.i}`;
      const [x, y] = at(cursor);
      const w = tip.offsetWidth;
      const h = tip.offsetHeight;
      tip.style.left = `${clamp(x + 14 + w > box.clientWidth ? x - 14 - w : x + 14, 0, Math.max(0, box.clientWidth - w))}px`;
      tip.style.top = `${clamp(y + 14 + h > box.clientHeight ? y - 14 - h : y + 14, 0, Math.max(0, box.clientHeight - h))}px`;
      for (const l of U.links ?? []) {
        const key = keyOf(l);
        const v = grid ? (l.axis === 'col' ? key(cursor.c) : l.axis === 'cell' ? key(cursor.r, cursor.c) : key(cursor.r)) : key(cursor.i);
        values.set(l.ch, [...(values.get(l.ch) ?? []), v]);
      }
    }
    for (const f of scope) f.readout()?.highlight(values, f === fig ? cursor?.t ?? -1 : -1);
  }

  function draw() {
    const dpr = window.devicePixelRatio || 1;
    overlay.width = canvas.width;
    overlay.height = canvas.height;
    overlay.style.height = canvas.style.height;
    const ctx = overlay.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { ink, surface } = themeColours(element);
    // An ink outline inside a surface-coloured one: visible on any colour of the maps.
    const ring = (x, y, w, h) => {
      for (const [colour, width] of [[surface, 4], [ink, 2]]) {
        ctx.strokeStyle = colour;
        ctx.lineWidth = width;
        ctx.strokeRect(x, y, w, h);
      }
    };
    const dot = ([x, y], { rect }) => {
      ctx.globalAlpha = 0.5;
      ring(x, rect.y, 0, rect.h);
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.arc(x, y, 5, 0, 2 * Math.PI);
      ctx.fillStyle = ink;
      ctx.fill();
    };
    let linked = 0;
    fig.targets.forEach((U, t) => {
      if (t === source) return;
      const cw = U.rect.w / U.cols;
      const ch = U.rect.h / U.rows;
      for (const l of U.links ?? []) {
        const values = incoming.get(l.ch);
        if (!values) continue;
        const key = keyOf(l);
        const on = (...a) => values.includes(key(...a)) && ++linked;
        if (U.kind === 'points') U.pts.forEach((p, i) => on(i) && dot(p, U));
        else if (l.axis === 'cell') {
          for (let r = 0; r < U.rows; r++) for (let c = 0; c < U.cols; c++) if (on(r, c)) ring(U.rect.x + c * cw, U.rect.y + r * ch, cw, ch);
        } else if (l.axis === 'col') {
          for (let c = 0; c < U.cols; c++) if (on(c)) ring(U.rect.x + c * cw, U.rect.y, cw, U.rect.h);
        } else {
          for (let r = 0; r < U.rows; r++) if (on(r)) ring(U.rect.x, U.rect.y + r * ch, U.rect.w, ch);
        }
      }
    });
    element.dataset.linked = String(linked);
    if (cursor) {
      const U = T(cursor.t);
      const [x, y] = at(cursor);
      if (U.kind === 'grid') {
        const cw = Math.max(3, U.rect.w / U.cols);
        const ch = Math.max(3, U.rect.h / U.rows);
        ring(x - cw / 2, y - ch / 2, cw, ch);
      } else {
        dot([x, y], U);
      }
    }
  }

  const ctl = {
    /** Highlight what a figure of the scope put on the channels (`from`: this figure's own target). */
    highlight(values, from) {
      incoming = values;
      source = from;
      draw();
    },
    /** After a repaint: the cursor stays (its text follows the new values) unless its cell went. */
    painted() {
      if (cursor) show(cursor);
      else draw();
    },
    handle(e) {
      if (e.type === 'focus') return show(cursor ?? (fig.targets.length ? nearest(0, 0, 0) : null));
      if (e.type === 'blur' || (e.type === 'pointerleave' && e.pointerType === 'mouse' && !canvas.matches(':focus'))) return show(null);
      if (e.type === 'pointermove' || e.type === 'pointerdown') {
        const b = canvas.getBoundingClientRect();
        return show(hit(e.clientX - b.left, e.clientY - b.top));
      }
      if (e.type !== 'keydown' || !cursor) return undefined;
      if (e.key === 'Escape') return show(null);
      const [dx, dy] = KEYS[e.key] ?? [0, 0];
      if (!dx && !dy) return undefined;
      e.preventDefault();
      const U = T(cursor.t);
      const next = fig.targets.length ? (cursor.t + dx + dy + fig.targets.length) % fig.targets.length : 0;
      if (U.kind === 'grid') {
        const r = cursor.r + dy;
        const c = cursor.c + dx;
        return show(r >= 0 && r < U.rows && c >= 0 && c < U.cols ? { t: cursor.t, r, c } : nearest(next, ...at(cursor)));
      }
      if (dx) return show({ t: cursor.t, i: clamp(cursor.i + dx * (e.shiftKey ? Math.ceil(U.pts.length / 10) : 1), 0, U.pts.length - 1) });
      return show(nearest(next, ...at(cursor)) ?? cursor);
    },
  };
  return ctl;
}
