// SPDX-License-Identifier: MIT
// pe.kerple.bias(): KERPLE log and power biases (C++: src/posenc/kerple.hpp).
import { bool, describe, floats, isList, oneOf, options, outTarget } from './args.js';
import { call } from './runtime.js';
import { isTensor } from './tensor.js';
import { SHAPE_KEYS, attentionShape } from './nope.js';

const VARIANTS = ['log', 'power'];
const KEYS = [...SHAPE_KEYS, 'r1', 'r2', 'variant', 'causal', 'out'];

/** The members this module adds to the library object. */
export function bind(mod) {
  return { kerple: { bias: (opts) => bias(mod, opts) } };
}

// One float32 per head: a number (the same for every head) or one value per head; finite, > 0 and
// at most `max` after rounding to float32.
function perHead(where, name, value, heads, max) {
  const single = typeof value === 'number';
  let v;
  if (single) {
    v = new Float32Array(heads).fill(value);
  } else if (isList(value) || isTensor(value)) {
    v = floats(where, name, value, { finite: false });
    if (v.length !== heads) throw new RangeError(`${where}: ${name} must have one value per head (${heads}), got ${v.length}`);
  } else {
    throw new TypeError(`${where}: ${name} must be a number or one number per head (a Float32Array, Float64Array or array), got ${describe(value)}`);
  }
  for (let i = 0; i < v.length; i++) {
    const label = single ? name : `${name}[${i}]`;
    const shown = describe(single ? value : v[i]);
    if (!Number.isFinite(v[i]) || !(v[i] > 0)) throw new RangeError(`${where}: ${label} must be finite and > 0 (as a float32), got ${shown}`);
    if (v[i] > max) throw new RangeError(`${where}: ${label} must be <= ${max} for the 'power' variant, got ${shown}`);
  }
  return v;
}

function bias(mod, opts) {
  const where = 'posenc.kerple.bias';
  const o = options(where, opts, KEYS);
  const s = attentionShape(where, o);
  const variant = oneOf(where, 'variant', o.variant, VARIANTS, 'log');
  const causal = bool(where, 'causal', o.causal, false);
  const r1 = perHead(where, 'r1', o.r1, s.heads, Infinity);
  const r2 = perHead(where, 'r2', o.r2, s.heads, variant === 'power' ? 2 : Infinity);
  return call(mod, where, [r1, r2], [[Float32Array, s.count, undefined, undefined, outTarget(where, o.out, Float32Array, s.count)]], (a, b, out) =>
    mod.kerpleBias(a, b, s.heads, out, s.count, s.heads, s.queries, s.keys, s.queryOffset, causal,
      VARIANTS.indexOf(variant)))[0];
}
