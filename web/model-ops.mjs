// SPDX-License-Identifier: Apache-2.0
// Prints the ops the WebAssembly build must keep (for web/build.sh -> TL_WEB_OPS): a base set for digit
// CNNs plus every builtin op used by the given .tflite files, as a semicolon list of ops.def names.
// usage: node web/model-ops.mjs OPS_DEF MODEL.tflite...   (reads each file's operator_codes table)
import fs from 'node:fs';

const BASE = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'RESHAPE',
  'SOFTMAX', 'QUANTIZE', 'DEQUANTIZE', 'RELU', 'RELU6'];

const [opsDef, ...models] = process.argv.slice(2);
if (!opsDef) {
  console.error('usage: node web/model-ops.mjs OPS_DEF MODEL.tflite...');
  process.exit(2);
}
// TL_OP(code, NAME, fn) lines of src/kernels/ops.def: the ops tinylite has kernels for.
const names = new Map();
for (const m of fs.readFileSync(opsDef, 'utf8').matchAll(/^TL_OP\((\d+),\s*(\w+),/gm)) names.set(Number(m[1]), m[2]);

// The builtin codes of a .tflite file: Model.operator_codes (field 1), each OperatorCode's
// max(deprecated_builtin_code (field 0, int8), builtin_code (field 3, int32)). Bounds-checked: a
// malformed file throws, and the caller reports it.
function opCodes(buf) {
  const u32 = (p) => { if (p < 0 || p + 4 > buf.length) throw new Error('offset out of range'); return buf.readUInt32LE(p); };
  const field = (table, id) => { // absolute position of field `id` of the table at `table`, or 0
    const vt = table - buf.readInt32LE(table);
    if (vt < 0 || vt + 4 > buf.length) throw new Error('bad vtable');
    const vsize = buf.readUInt16LE(vt);
    if (4 + 2 * id + 2 > vsize) return 0;
    const off = buf.readUInt16LE(vt + 4 + 2 * id);
    return off ? table + off : 0;
  };
  const model = u32(0);
  const vecField = field(model, 1);
  if (!vecField) return [];
  const vec = vecField + u32(vecField), n = u32(vec);
  const codes = [];
  for (let i = 0; i < n && i < 10000; i++) {
    const p = vec + 4 + 4 * i, oc = p + u32(p);
    const f0 = field(oc, 0), f3 = field(oc, 3);
    const dep = f0 ? buf.readInt8(f0) : 0, code = f3 ? buf.readInt32LE(f3) : 0;
    codes.push(Math.max(dep, code));
  }
  return codes;
}

const keep = new Set(BASE);
for (const file of models) {
  try {
    for (const code of opCodes(fs.readFileSync(file))) {
      if (names.has(code)) keep.add(names.get(code));
      else if (code !== 32) console.error(`model-ops: ${file} uses builtin op ${code}, which tinylite has no kernel for`);
    }
  } catch (err) {
    console.error(`model-ops: ${file}: not a readable .tflite (${err.message})`);
  }
}
console.log([...keep].filter((n) => [...names.values()].includes(n)).join(';'));
