// SPDX-License-Identifier: MIT
// pe.alibi: ALiBi slopes and biases (C++: src/posenc/alibi.hpp).
import { bool, integer, oneOf, options, outTarget } from './args.js';
import { call, float32Result } from './runtime.js';
import { MAX_HEADS, SHAPE_KEYS, attentionShape } from './nope.js';

const FORMS = ['relative', 'reference'];
const DTYPES = ['float32', 'float64'];
const BIAS_KEYS = [...SHAPE_KEYS, 'causal', 'form', 'out'];

/** The members this module adds to the library object. */
export function bind(mod) {
  return {
    alibi: {
      slopes: (heads, opts) => slopes(mod, heads, opts),
      bias: (opts) => bias(mod, opts),
    },
  };
}

function slopes(mod, heads, opts = {}) {
  const where = 'posenc.alibi.slopes';
  const n = integer(where, 'heads', heads, { min: 1, max: MAX_HEADS });
  const o = options(where, opts, ['dtype']);
  const dtype = oneOf(where, 'dtype', o.dtype, DTYPES, 'float32');
  if (dtype === 'float64') return call(mod, where, [], [[Float64Array, n]], (out) => mod.alibiSlopesFloat64(out, n))[0];
  return float32Result(mod, where, n, (out) => mod.alibiSlopesFloat32(out, n));
}

function bias(mod, opts) {
  const where = 'posenc.alibi.bias';
  const o = options(where, opts, BIAS_KEYS);
  const s = attentionShape(where, o);
  const causal = bool(where, 'causal', o.causal, false);
  const form = oneOf(where, 'form', o.form, FORMS, 'relative');
  if (form === 'reference' && !causal) {
    throw new RangeError(`${where}: form 'reference' needs causal: true (m * j equals the paper's bias only under the causal mask)`);
  }
  return float32Result(mod, where, s.count, (out) =>
    mod.alibiBias(out, s.count, s.heads, s.queries, s.keys, s.queryOffset, causal, FORMS.indexOf(form)),
  outTarget(where, o.out, Float32Array, s.count));
}
