// SPDX-License-Identifier: MIT
// Canvas drawing for the figures: heatmaps (one pixel per value, scaled without smoothing), line
// and step plots with linear or log axes, bars. Only drawing: every number drawn comes from the
// package (or from data a widget made up and labels as illustrative).
import { paintValues, pixel, rgb } from './colormap.js';

export const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans JP", sans-serif';
export const SMALL = '11px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans JP", sans-serif';

/** Short text of a number for ticks and readouts. */
export function fmt(v, digits = 3) {
  if (v === -Infinity) return '−∞';
  if (v === Infinity) return '∞';
  if (Number.isNaN(v)) return 'NaN';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e').replace('e+', 'e').replace(/-/g, '−');
  if (Number.isInteger(v)) return String(v).replace('-', '−');
  return String(Number(v.toPrecision(digits))).replace('-', '−');
}

/** Integer ticks 0, step, 2*step, ... < n with a 1-2-5 step giving at most about `max` ticks. */
export function intTicks(n, max, start = 0) {
  if (n <= 1) return [start];
  const raw = (n - 1) / Math.max(1, max);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw));
  const out = [];
  for (let t = Math.ceil(start / step) * step; t < start + n; t += step) out.push(t);
  return out;
}

/** Ticks of [lo, hi] at 1-2-5 steps, about `max` of them. */
export function niceTicks(lo, hi, max = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, max);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

/** Powers of ten in [lo, hi] (thinned to at most `max`). */
export function logTicks(lo, hi, max = 6) {
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  const every = Math.max(1, Math.ceil((b - a + 1) / max));
  const out = [];
  for (let e = a; e <= b; e += every) out.push(10 ** e);
  return out;
}

/** The colours of the figure's theme, from CSS custom properties of `element`. */
/**
 * Readout targets of each canvas, filled while it paints (lib/figure.js shows them on hover, tap and
 * arrow keys): { kind: 'grid', rect, rows, cols, text(r, c), links } or { kind: 'points', rect,
 * pts: [[x, y], ...], text(i), links }. links: [{ ch, axis: 'row' | 'col' | 'cell' (grids), key }]:
 * figures of one widget that put the same value on a channel highlight each other.
 */
export const TARGETS = new WeakMap();

/** Register a readout target on the canvas being painted. */
export function mark(ctx, target) {
  TARGETS.get(ctx.canvas)?.push(target);
}

/** "query i = 3" from an axis title ("query i →") and an index; the index alone without a title. */
function named(title, i) {
  const n = String(title ?? '').replace(/[→↓]/g, '').trim();
  return n ? `${n} = ${i}` : String(i);
}

/** The readout of a value: "a, b: v" ("a、b：v" in Japanese). */
export function readoutText(ctx, parts, v) {
  const ja = TARGETS.get(ctx.canvas)?.lang === 'ja';
  return `${parts.filter((p) => p !== '').join(ja ? '、' : ', ')}${ja ? '：' : ': '}${typeof v === 'number' ? fmt(v, 4) : v}`;
}

export function themeColours(element) {
  const style = getComputedStyle(element);
  const v = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    ink: v('--ink', '#1b1f24'),
    muted: v('--muted', '#5b6470'),
    line: v('--line', '#dde1e6'),
    surface: v('--surface', '#ffffff'),
    mask: v('--mask', '#c8ccd2'),
    series: [v('--c1', '#2166ac'), v('--c2', '#d6604d'), v('--c3', '#1b9e77'), v('--c4', '#7570b3'), v('--c5', '#e6ab02')],
  };
}

const offscreens = new WeakMap();

/**
 * A heatmap of `values` (row-major rows x cols) in `rect` ({ x, y, w, h }, CSS pixels):
 * opts { lut, lo, hi, colours, xLabel, yLabel, rowLabels, colLabels, rowTicks, colTicks (arrays of
 * indices), cellText(r, c) -> string | null, key (to reuse the painted image) }.
 * -Infinity cells (masked) get the theme's mask colour.
 */
export function heatmap(ctx, rect, opts) {
  const { rows, cols, values, lut, lo = -1, hi = 1, colours } = opts;
  let off = offscreens.get(ctx);
  if (!off) {
    off = { canvas: document.createElement('canvas'), key: null };
    offscreens.set(ctx, off);
  }
  const key = opts.key ? `${opts.key}|${colours.mask}|${lo}|${hi}|${lut.stops.join()}` : null;
  if (!key || off.key !== key || off.canvas.width !== cols || off.canvas.height !== rows) {
    off.canvas.width = cols;
    off.canvas.height = rows;
    const octx = off.canvas.getContext('2d');
    const image = octx.createImageData(cols, rows);
    paintValues(image, values, lut, lo, hi, pixel(rgb(toHex(colours.mask))));
    octx.putImageData(image, 0, 0);
    off.key = key;
  }
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off.canvas, 0, 0, cols, rows, rect.x, rect.y, rect.w, rect.h);
  ctx.restore();

  const cw = rect.w / cols;
  const ch = rect.h / rows;
  if (opts.cellText && cw >= 16 && ch >= 13) {
    ctx.font = cw >= 22 && ch >= 16 ? SMALL : '9px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const t = opts.cellText(r, c);
        if (t === null || t === undefined) continue;
        const v = values[r * cols + c];
        const k = Math.max(0, Math.min(lut.size - 1, Math.round(((v - lo) / (hi - lo || 1)) * (lut.size - 1))));
        const [R, G, B] = [lut.bytes[k * 4], lut.bytes[k * 4 + 1], lut.bytes[k * 4 + 2]];
        const light = v === -Infinity || 0.299 * R + 0.587 * G + 0.114 * B > 140;
        ctx.fillStyle = light ? '#111' : '#fff';
        ctx.fillText(t, rect.x + (c + 0.5) * cw, rect.y + (r + 0.5) * ch);
      }
    }
  }

  ctx.font = FONT;
  ctx.fillStyle = colours.muted;
  ctx.strokeStyle = colours.muted;
  ctx.lineWidth = 1;
  ctx.beginPath();
  // Column labels or ticks along the top, row labels or ticks on the left, at cell centres.
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  const colIdx = opts.colLabels ? opts.colLabels.map((_, i) => i) : (opts.colTicks ?? intTicks(cols, Math.floor(rect.w / 48)));
  for (const c of colIdx) {
    const x = Math.round(rect.x + (c + 0.5) * cw) + 0.5;
    if (!opts.colLabels) {
      ctx.moveTo(x, rect.y - 4);
      ctx.lineTo(x, rect.y);
    }
    const text = opts.colLabels ? opts.colLabels[c] : String(c + (opts.colStart ?? 0));
    if (opts.colLabels && opts.rotateColLabels) {
      ctx.save();
      ctx.translate(x, rect.y - 5);
      ctx.rotate(-Math.PI / 4);
      ctx.textAlign = 'left';
      ctx.fillText(text, 0, 0);
      ctx.restore();
    } else {
      ctx.fillText(text, x, rect.y - 6);
    }
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const rowIdx = opts.rowLabels ? opts.rowLabels.map((_, i) => i) : (opts.rowTicks ?? intTicks(rows, Math.floor(rect.h / 28)));
  for (const r of rowIdx) {
    const y = Math.round(rect.y + (r + 0.5) * ch) + 0.5;
    if (!opts.rowLabels) {
      ctx.moveTo(rect.x - 4, y);
      ctx.lineTo(rect.x, y);
    }
    ctx.fillText(opts.rowLabels ? opts.rowLabels[r] : String(r + (opts.rowStart ?? 0)), rect.x - 6, y);
  }
  ctx.stroke();
  axisTitles(ctx, rect, opts);
  // Readout: opts.readout(r, c) gives the text; by default the row and column (labels or axis
  // titles) and the value.
  const at = (labels, title, i, start = 0) => labels?.[i] || named(title, i + start);
  mark(ctx, { kind: 'grid', rect, rows, cols, links: opts.links,
    text: opts.readout ?? ((r, c) => readoutText(ctx, [at(opts.rowLabels, opts.yLabel, r, opts.rowStart), at(opts.colLabels, opts.xLabel, c, opts.colStart)], values[r * cols + c])) });
}

/** Axis titles: x above the plot (for heatmaps) or below (for plots), y rotated on the left. */
export function axisTitles(ctx, rect, { xLabel, yLabel, colours, xTitleBelow = false, yTitleX = 2 }) {
  ctx.font = FONT;
  ctx.fillStyle = colours.ink;
  if (xLabel) {
    ctx.textAlign = xTitleBelow ? 'center' : 'left';
    ctx.textBaseline = xTitleBelow ? 'bottom' : 'top';
    if (xTitleBelow) ctx.fillText(xLabel, rect.x + rect.w / 2, ctx.canvas.height / (ctx.getTransform().a || 1) - 2);
    else ctx.fillText(xLabel, rect.x, 2);
  }
  if (yLabel) {
    ctx.save();
    ctx.translate(yTitleX, rect.y + (xTitleBelow ? rect.h / 2 : 0));
    ctx.rotate(xTitleBelow ? -Math.PI / 2 : Math.PI / 2);
    ctx.textAlign = xTitleBelow ? 'center' : 'left';
    ctx.textBaseline = xTitleBelow ? 'top' : 'bottom';
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();
  }
}

function toHex(colour) {
  if (colour.startsWith('#') && colour.length === 7) return colour;
  const m = colour.match(/\d+/g);
  if (!m) return '#888888';
  return `#${m.slice(0, 3).map((x) => Number(x).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Axes for a plot in `rect`: x = { lo, hi, log?, label, ticks?, format? }, y likewise.
 * Returns { px(x), py(y) } mapping data to canvas coordinates.
 */
export function axes(ctx, rect, x, y, colours) {
  const map = (a, lo, hi, log, start, size, flip) => {
    const t = log ? (Math.log10(a) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (a - lo) / (hi - lo || 1);
    return flip ? start + size - t * size : start + t * size;
  };
  const px = (a) => map(a, x.lo, x.hi, x.log, rect.x, rect.w, false);
  const py = (a) => map(a, y.lo, y.hi, y.log, rect.y, rect.h, true);
  const xt = x.ticks ?? (x.log ? logTicks(x.lo, x.hi) : niceTicks(x.lo, x.hi, Math.max(2, Math.floor(rect.w / 70))));
  const yt = y.ticks ?? (y.log ? logTicks(y.lo, y.hi) : niceTicks(y.lo, y.hi, Math.max(2, Math.floor(rect.h / 40))));
  ctx.font = FONT;
  ctx.lineWidth = 1;
  // Grid.
  ctx.strokeStyle = colours.line;
  ctx.beginPath();
  for (const t of yt) {
    const yy = Math.round(py(t)) + 0.5;
    ctx.moveTo(rect.x, yy);
    ctx.lineTo(rect.x + rect.w, yy);
  }
  for (const t of xt) {
    const xx = Math.round(px(t)) + 0.5;
    ctx.moveTo(xx, rect.y);
    ctx.lineTo(xx, rect.y + rect.h);
  }
  ctx.stroke();
  // Frame and tick labels.
  ctx.strokeStyle = colours.muted;
  ctx.strokeRect(Math.round(rect.x) + 0.5, Math.round(rect.y) + 0.5, Math.round(rect.w) - 1, Math.round(rect.h) - 1);
  ctx.fillStyle = colours.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xf = x.format ?? fmt;
  const yf = y.format ?? fmt;
  for (const t of xt) ctx.fillText(xf(t), px(t), rect.y + rect.h + 4);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yt) ctx.fillText(yf(t), rect.x - 5, py(t));
  axisTitles(ctx, rect, { xLabel: x.label, yLabel: y.label, colours, xTitleBelow: true });
  return { px, py, x: x.label, y: y.label };
}

/**
 * Draw a series: { xs, ys, colour, width = 2, step = false, dash, points = false } through `map`.
 * Non-finite points break the line. With `readout` (true, or i -> text) its points are a readout
 * target ("label, x = …: y"), with `links` as for mark().
 */
export function series(ctx, map, s, rect) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(rect.x, rect.y, rect.w, rect.h);
  ctx.clip();
  ctx.strokeStyle = s.colour;
  ctx.fillStyle = s.colour;
  ctx.lineWidth = s.width ?? 2;
  ctx.lineJoin = 'round';
  ctx.setLineDash(s.dash ?? []);
  ctx.beginPath();
  let open = false;
  let prevY = 0;
  for (let i = 0; i < s.xs.length; i++) {
    const X = map.px(s.xs[i]);
    const Y = map.py(s.ys[i]);
    if (!Number.isFinite(X) || !Number.isFinite(Y)) { open = false; continue; }
    if (!open) ctx.moveTo(X, Y);
    else if (s.step) { ctx.lineTo(X, prevY); ctx.lineTo(X, Y); }
    else ctx.lineTo(X, Y);
    open = true;
    prevY = Y;
  }
  ctx.stroke();
  if (s.points) {
    for (let i = 0; i < s.xs.length; i++) {
      const X = map.px(s.xs[i]);
      const Y = map.py(s.ys[i]);
      if (!Number.isFinite(X) || !Number.isFinite(Y)) continue;
      ctx.beginPath();
      ctx.arc(X, Y, s.radius ?? 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.restore();
  if (s.readout) {
    const idx = [];
    const pts = [];
    for (let i = 0; i < s.xs.length; i++) {
      const P = [map.px(s.xs[i]), map.py(s.ys[i])];
      if (P.every(Number.isFinite)) { idx.push(i); pts.push(P); }
    }
    mark(ctx, { kind: 'points', rect, pts, links: s.links?.map((l) => ({ ...l, key: (j) => (l.key ?? ((i) => s.xs[i]))(idx[j]) })),
      text: (j) => (s.readout === true ? readoutText(ctx, [s.label ?? '', named(map.x, fmt(s.xs[idx[j]], 4))], s.ys[idx[j]]) : s.readout(idx[j])) });
  }
}

/** A legend box at the top right of `rect`: entries [{ label, colour, dash }]. */
export function legend(ctx, rect, entries, colours, corner = 'right') {
  ctx.font = FONT;
  const w = Math.max(...entries.map((e) => ctx.measureText(e.label).width)) + 34;
  const h = entries.length * 17 + 6;
  const x0 = corner === 'right' ? rect.x + rect.w - w - 6 : rect.x + 6;
  const y0 = rect.y + 6;
  ctx.fillStyle = colours.surface;
  ctx.globalAlpha = 0.88;
  ctx.fillRect(x0, y0, w, h);
  ctx.globalAlpha = 1;
  entries.forEach((e, i) => {
    const y = y0 + 11 + i * 17;
    ctx.strokeStyle = e.colour;
    ctx.lineWidth = 2.5;
    ctx.setLineDash(e.dash ?? []);
    ctx.beginPath();
    ctx.moveTo(x0 + 6, y);
    ctx.lineTo(x0 + 24, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colours.ink;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(e.label, x0 + 29, y);
  });
}

/** An arrow from (x0, y0) to (x1, y1). */
export function arrow(ctx, x0, y0, x1, y1, colour, width = 2.5) {
  const a = Math.atan2(y1 - y0, x1 - x0);
  const head = 7 + width;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1 - Math.cos(a) * head * 0.7, y1 - Math.sin(a) * head * 0.7);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(a - 0.45), y1 - head * Math.sin(a - 0.45));
  ctx.lineTo(x1 - head * Math.cos(a + 0.45), y1 - head * Math.sin(a + 0.45));
  ctx.closePath();
  ctx.fill();
}

/** The plot rectangle inside a width x height canvas with margins { left, top, right, bottom }. */
export function inset(width, height, { left = 48, top = 24, right = 10, bottom = 36 } = {}) {
  return { x: left, y: top, w: Math.max(16, width - left - right), h: Math.max(16, height - top - bottom) };
}

/** A horizontal colour ramp with end labels, drawn at (x, y), `w` wide. */
export function ramp(ctx, x, y, w, lut, labels, colours) {
  const img = ctx.createImageData(lut.size, 1);
  img.data.set(lut.bytes);
  const c = document.createElement('canvas');
  c.width = lut.size;
  c.height = 1;
  c.getContext('2d').putImageData(img, 0, 0);
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(c, x, y, w, 8);
  ctx.restore();
  ctx.font = SMALL;
  ctx.fillStyle = colours.muted;
  ctx.textBaseline = 'top';
  labels.forEach((text, i) => {
    ctx.textAlign = i === 0 ? 'left' : i === labels.length - 1 ? 'right' : 'center';
    ctx.fillText(text, x + (w * i) / (labels.length - 1), y + 10);
  });
}
