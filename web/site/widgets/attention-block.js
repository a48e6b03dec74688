// SPDX-License-Identifier: MIT
// The attention block as a diagram (CLAIMS 9): tokens -> Q, K, V projections -> scores -> mask and
// softmax -> weights x v -> output, with the three places a position method can act drawn on the
// arrows between them (added to the inputs; rotating q and k; added to the logits) and Shaw's two
// places inside the boxes (the scores and the values). The chosen method's place is drawn in the
// accent colour, the others faint, so the reader sees at once where each family acts and where not.
// The canvas is 124 px tall from 640 px wide (one row of boxes), else 290 px (two rows).
import { FONT, arrow } from '../lib/plot.js';

/** Where each method of the playground puts position information. */
export const ENTERS = Object.freeze({
  none: [], sinusoidal: ['input'], learned: ['input'], rope: ['rotate'], xpos: ['rotate'],
  alibi: ['bias'], t5: ['bias'], kerple: ['bias'], shaw: ['shawScores', 'shawValues'],
});

export const BLOCK_TEXT = {
  en: {
    boxes: ['tokens → embeddings', 'Q, K, V projections', 'scores q·k / √d', 'mask, softmax', 'weights × v', 'output'],
    input: '+ position vectors', rotate: 'rotate q and k', bias: '+ bias(i − j)', shawScores: '+ q·a_K(i − j)', shawValues: '+ a_V(i − j)',
    where: {
      none: 'NoPE: position enters nowhere. Without the causal mask, shuffling the tokens only shuffles the outputs; with it, a model can still infer order.',
      sinusoidal: 'Sinusoidal: position vectors are added to the token embeddings, before the projections (here, with random q, k, v, they are added to q, k and v).',
      learned: 'Learned table: one trained vector per position, added to the token embeddings, before the projections (here, to q, k and v).',
      rope: 'RoPE: q and k are rotated by angles proportional to their positions, after the projections; the embeddings, v and the logits are untouched.',
      xpos: 'xPos: RoPE\'s rotation of q and k plus a per-pair scale that decays with distance; nothing is added to the embeddings.',
      alibi: 'ALiBi: q and k are untouched; −m·(i − j) is added to each logit, before the softmax.',
      t5: 'T5: q and k are untouched; a learned scalar per head and distance bucket is added to each logit.',
      kerple: 'KERPLE: q and k are untouched; a learned function of the distance (here −r1·log(1 + r2·|i − j|)) is added to each logit.',
      shaw: 'Shaw et al.: a vector per clipped distance enters inside the score (q·(k + a_K)) and inside the output (weights × (v + a_V)).',
    },
    label: 'Diagram of the attention block and where the chosen position method acts',
  },
  ja: {
    boxes: ['トークン → 埋め込み', 'Q・K・V への射影', 'スコア q·k / √d', 'マスクと softmax', '重み × v', '出力'],
    input: '＋位置ベクトル', rotate: 'q と k を回転', bias: '＋バイアス(i − j)', shawScores: '＋q·a_K(i − j)', shawValues: '＋a_V(i − j)',
    where: {
      none: 'NoPE：位置はどこにも入りません。因果マスクがなければ、トークンを並べ替えると出力も同じように並べ替わるだけです。因果マスクがあれば、モデルは順序を推測できます。',
      sinusoidal: '正弦波：位置ベクトルを射影の前にトークン埋め込みへ足します（ここでは q、k、v が乱数なので、q、k、v に足しています）。',
      learned: '学習表：位置ごとに学習したベクトルを、射影の前にトークン埋め込みへ足します（ここでは q、k、v に足しています）。',
      rope: 'RoPE：射影の後で q と k を位置に比例した角度だけ回転します。埋め込み、v、ロジットには触れません。',
      xpos: 'xPos：RoPE の q と k の回転に、距離とともに減衰するペアごとの倍率を加えます。埋め込みには何も足しません。',
      alibi: 'ALiBi：q と k には触れず、softmax の前に各ロジットへ −m·(i − j) を足します。',
      t5: 'T5：q と k には触れず、ヘッドと距離のバケットごとに学習したスカラーを各ロジットへ足します。',
      kerple: 'KERPLE：q と k には触れず、距離の学習済み関数（ここでは −r1·log(1 + r2·|i − j|)）を各ロジットへ足します。',
      shaw: 'Shaw ら：クリップした距離ごとのベクトルが、スコアの中（q·(k + a_K)）と出力の中（重み × (v + a_V)）に入ります。',
    },
    label: 'アテンションブロックの図と、選んだ位置の方式が作用する場所',
  },
};

// Entry points on the arrows: after box `after` (the arrow into box after + 1).
const ON_ARROW = { input: 0, rotate: 1, bias: 2 };
// Shaw's entry points inside boxes.
const IN_BOX = { shawScores: 2, shawValues: 4 };

/** Draw the block for `method` (a key of ENTERS) with texts `tx` (BLOCK_TEXT[lang]). */
export function drawBlock(ctx, { width, height, colours }, method, tx) {
  const active = new Set(ENTERS[method] ?? []);
  const accent = colours.series[1];
  const n = tx.boxes.length;
  const wide = width >= 640;
  const perRow = wide ? n : n / 2;
  const gap = wide ? 26 : 34;
  const bw = (width - 16 - gap * (perRow - 1)) / perRow;
  const bh = 46;
  const rowY = wide ? [62] : [62, 62 + bh + 110];
  // Box i: row 0 left to right; on a narrow canvas row 1 runs right to left (under the scores box).
  const box = (i) => {
    const row = Math.floor(i / perRow);
    const col = row === 0 ? i : perRow - 1 - (i - perRow);
    return { x: 8 + col * (bw + gap), y: rowY[row], row };
  };
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  const wrap = (text, maxWidth) => {
    // Words, and a word too wide for a line (Japanese has no spaces) broken after 、 or anywhere.
    const words = text.split(' ').flatMap((word) => {
      if (ctx.measureText(word).width <= maxWidth) return [word];
      const parts = [''];
      for (const ch of word) {
        if (ctx.measureText(parts.at(-1) + ch).width > maxWidth && parts.at(-1)) parts.push('');
        parts[parts.length - 1] += ch;
      }
      return parts;
    });
    const lines = [''];
    for (const word of words) {
      const next = lines.at(-1) ? `${lines.at(-1)} ${word}` : word;
      if (ctx.measureText(next).width > maxWidth && lines.at(-1)) lines.push(word);
      else lines[lines.length - 1] = next;
    }
    return lines;
  };
  // Boxes.
  for (let i = 0; i < n; i++) {
    const { x, y } = box(i);
    const inside = Object.keys(IN_BOX).find((k) => IN_BOX[k] === i && active.has(k));
    ctx.fillStyle = colours.surface;
    ctx.strokeStyle = inside ? accent : colours.muted;
    ctx.lineWidth = inside ? 2.5 : 1.2;
    ctx.fillRect(x, y, bw, bh);
    ctx.strokeRect(x + 0.5, y + 0.5, bw - 1, bh - 1);
    ctx.fillStyle = colours.ink;
    const lines = wrap(tx.boxes[i], bw - 8);
    lines.forEach((line, k) => ctx.fillText(line, x + bw / 2, y + bh / 2 + (k - (lines.length - 1) / 2) * 14));
  }
  // Arrows between boxes, and the entry points on them.
  const mark = (key, cx, cy, labelX, labelY, align = 'center') => {
    const on = active.has(key);
    ctx.save();
    ctx.globalAlpha = on ? 1 : 0.45;
    ctx.setLineDash(on ? [] : [3, 3]);
    ctx.strokeStyle = on ? accent : colours.muted;
    ctx.fillStyle = colours.surface;
    ctx.lineWidth = on ? 2.5 : 1.2;
    ctx.beginPath();
    ctx.arc(cx, cy, 9, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = on ? accent : colours.muted;
    ctx.font = on ? `bold ${FONT}` : FONT;
    ctx.textAlign = 'center';
    ctx.fillText(key === 'rotate' ? '↻' : '+', cx, cy + 0.5);
    ctx.textAlign = align;
    for (const [k, line] of wrap(tx[key], wide ? bw + gap : width / 2 - 12).entries()) ctx.fillText(line, labelX, labelY + k * 14);
    ctx.restore();
  };
  for (let i = 0; i + 1 < n; i++) {
    const a = box(i);
    const b = box(i + 1);
    let x0; let y0; let x1; let y1;
    if (a.row === b.row) {
      const rightward = b.x > a.x;
      x0 = rightward ? a.x + bw : a.x;
      x1 = rightward ? b.x : b.x + bw;
      y0 = y1 = a.y + bh / 2;
    } else {
      x0 = x1 = a.x + bw / 2;
      y0 = a.y + bh;
      y1 = b.y;
    }
    arrow(ctx, x0, y0, x1, y1, colours.muted, 1.5);
    const key = Object.keys(ON_ARROW).find((k) => ON_ARROW[k] === i);
    if (!key) continue;
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    if (a.row === b.row) mark(key, cx, cy, cx, a.y - 34);
    else mark(key, cx, cy, cx - 16, cy - 7, 'right');
  }
  for (const [key, i] of Object.entries(IN_BOX)) {
    if (!active.has(key)) continue;
    const { x, y, row } = box(i);
    ctx.save();
    ctx.fillStyle = accent;
    ctx.font = `bold ${FONT}`;
    ctx.textAlign = 'center';
    ctx.fillText(tx[key], x + bw / 2, row === 0 ? y - 12 : y + bh + 14);
    ctx.restore();
  }
  return { height };
}
