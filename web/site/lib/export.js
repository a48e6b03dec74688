// SPDX-License-Identifier: MIT
// Downloads of a figure: PNG (canvas.toBlob) and CSV, both through a Blob URL (no data: URL, no
// server): nothing here needs more than the strict CSP allows.

/** Save `blob` as `name` via a temporary Blob URL and a click on a hidden link. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A CSV cell: numbers as is (full precision, -Infinity spelled out), text quoted when needed. */
function cell(v) {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : (v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN');
  const s = String(v ?? '');
  // A leading =, +, - or @ would be read as a formula by spreadsheets: prefix a quote.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV text of a header row and data rows. */
export function toCsv(header, rows) {
  const lines = [header.map(cell).join(',')];
  for (const row of rows) lines.push(row.map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Download a CSV. */
export function downloadCsv(name, header, rows) {
  download(new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' }), name);
}

/** Download the canvas as PNG. */
export function downloadPng(canvas, name) {
  canvas.toBlob((blob) => { if (blob) download(blob, name); }, 'image/png');
}
