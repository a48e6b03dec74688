// SPDX-License-Identifier: MIT
// onnxruntime-web (wasm backend, one thread) in Node, with ONNX graphs built in memory.
//
// An ONNX model is a protobuf message (onnx/onnx.proto, ModelProto). The few message types a
// small graph needs are written here with a minimal protobuf encoder (varints and length-delimited
// fields), so no ONNX tooling is needed. Field numbers are those of onnx.proto:
//   ModelProto   ir_version=1 graph=7 opset_import=8
//   GraphProto   node=1 name=2 initializer=5 input=11 output=12
//   NodeProto    input=1 output=2 name=3 op_type=4 attribute=5
//   AttributeProto name=1 f=2 i=3 ints=8 type=20 (FLOAT=1, INT=2, INTS=7)
//   ValueInfoProto name=1 type=2;  TypeProto tensor_type=1;  Tensor elem_type=1 shape=2
//   TensorShapeProto dim=1; Dimension dim_value=1
//   TensorProto  dims=1 data_type=2 name=8 raw_data=9 (FLOAT=1, INT64=7)
//   OperatorSetIdProto domain=1 version=2
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Protobuf encoding.

function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;  // negative int64: two's complement, 10 bytes
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

const concat = (parts) => {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
const key = (field, wire) => Uint8Array.from(varint((field << 3) | wire));
const int = (field, v) => concat([key(field, 0), Uint8Array.from(varint(v))]);
const bytes = (field, b) => concat([key(field, 2), Uint8Array.from(varint(b.length)), b]);
const str = (field, s) => bytes(field, new TextEncoder().encode(s));
const msg = (field, parts) => bytes(field, concat(parts));
const float32 = (field, f) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, f, true);
  return concat([key(field, 5), b]);
};

const FLOAT = 1;
const INT64 = 7;

function tensorType(shape) {
  return msg(2, [msg(1, [int(1, FLOAT), msg(2, shape.map((d) => msg(1, [int(1, d)])))])]);
}
const valueInfo = (field, name, shape) => msg(field, [str(1, name), tensorType(shape)]);

/** A node: op, inputs, outputs, attributes { name: number | number[] } (ints or float). */
export function node(op, inputs, outputs, attrs = {}) {
  const parts = [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op)];
  for (const [name, value] of Object.entries(attrs)) {
    if (Array.isArray(value)) parts.push(msg(5, [str(1, name), ...value.map((v) => int(8, v)), int(20, 7)]));
    else if (Number.isInteger(value)) parts.push(msg(5, [str(1, name), int(3, value), int(20, 2)]));
    else parts.push(msg(5, [str(1, name), float32(2, value), int(20, 1)]));
  }
  return msg(1, parts);
}

/** A constant tensor (initializer): Float32Array or BigInt64Array. */
export function initializer(name, dims, data) {
  const type = data instanceof BigInt64Array ? INT64 : FLOAT;
  return msg(5, [...dims.map((d) => int(1, d)), int(2, type), str(8, name),
    bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))]);
}

/**
 * A model: nodes (from node()), initializers (from initializer()), inputs/outputs
 * [{ name, shape }] (float32). Opset 17.
 */
export function model({ nodes, initializers = [], inputs, outputs }) {
  const graph = msg(7, [...nodes, str(2, 'posenc-bench'), ...initializers,
    ...inputs.map((i) => valueInfo(11, i.name, i.shape)), ...outputs.map((o) => valueInfo(12, o.name, o.shape))]);
  return concat([int(1, 8), graph, msg(8, [str(1, ''), int(2, 17)])]);
}

/**
 * Scaled dot-product attention over heads-first inputs q, k, v [heads, seq, dim] (float32):
 * MatMul(q, Transpose(k)) * 1/sqrt(dim) (+ bias) -> Softmax -> MatMul(., v), output 'o' [heads, seq, dim].
 * `bias`: an additive [heads, seq, seq] initializer (ALiBi + causal mask, lib/attention.mjs), or null.
 */
export function attentionModel({ heads, seq, dim }, bias) {
  const nodes = [node('Transpose', ['k'], ['kt'], { perm: [0, 2, 1] }), node('MatMul', ['q', 'kt'], ['s']),
    node('Mul', ['s', 'scale'], ['z']), node('Softmax', [bias ? 'zb' : 'z'], ['p'], { axis: -1 }), node('MatMul', ['p', 'v'], ['o'])];
  const initializers = [initializer('scale', [], Float32Array.of(1 / Math.sqrt(dim)))];
  if (bias) {
    nodes.splice(3, 0, node('Add', ['z', 'bias'], ['zb']));
    initializers.push(initializer('bias', [heads, seq, seq], bias));
  }
  return model({ nodes, initializers, inputs: ['q', 'k', 'v'].map((name) => ({ name, shape: [heads, seq, dim] })),
    outputs: [{ name: 'o', shape: [heads, seq, dim] }] });
}

// ---------------------------------------------------------------------------------------------
// The runtime.

let loaded = null;

/** onnxruntime-web with its wasm backend, one thread, SIMD binary. Loaded once per process. */
export function initOrt() {
  loaded ??= (async () => {
    const ort = require('onnxruntime-web');
    // The package's exports map hides package.json; its main entry lives in dist/.
    const dist = path.dirname(require.resolve('onnxruntime-web'));
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = `${dist}/`;
    ort.env.logLevel = 'error';
    return { ort, info: { version: ort.env.versions?.web ?? null, numThreads: 1, simd: true } };
  })();
  return loaded;
}

/** A session for an in-memory model on the wasm execution provider. */
export async function session(ort, bytesOfModel) {
  return ort.InferenceSession.create(bytesOfModel, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
}
