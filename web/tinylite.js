// SPDX-License-Identifier: Apache-2.0
// A small JS wrapper over tinylite's WebAssembly module (web/tl_web.c): loads the SIMD build when the
// browser validates WebAssembly SIMD, else the baseline build; models from bytes; classify canvases.

// A module whose one function uses i8x16.splat and i8x16.popcnt: valid only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0,
                                   65, 0, 253, 15, 253, 98, 11]);

export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// Loads the runtime. options.simd forces a variant (true/false); default: feature detection.
export async function loadRuntime(options = {}) {
  const simd = options.simd ?? simdSupported();
  const variant = simd ? 'simd' : 'base';
  const t0 = performance.now();
  const { default: createTinylite } = await import(`./tinylite-${variant}.js`);
  const mod = await createTinylite();
  return new Runtime(mod, variant, performance.now() - t0);
}

export class Runtime {
  constructor(mod, variant, loadMs) {
    this.mod = mod;
    this.variant = variant; // 'simd' or 'base'
    this.loadMs = loadMs;
  }

  error() {
    return this.mod.UTF8ToString(this.mod._tlw_error());
  }

  // Loads a .tflite model from an ArrayBuffer or Uint8Array. Throws with tinylite's message on failure.
  loadModel(bytes) {
    const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const m = this.mod;
    const p = m._tlw_malloc(u8.length);
    if (!p) throw new Error('out of memory for the model');
    m.HEAPU8.set(u8, p);
    const slot = m._tlw_load(p, u8.length); // the slot owns p from here on, also on failure
    if (slot < 0) throw new Error(this.error());
    return new Model(this, slot, u8.length);
  }
}

export class Model {
  constructor(runtime, slot, bytes) {
    this.rt = runtime;
    this.slot = slot;
    this.bytes = bytes;
    this.buf = 0;
    this.bufSize = 0;
    this.inputType = runtime.mod.UTF8ToString(runtime.mod._tlw_input_type(slot));
  }

  // Classifies RGBA pixels ({data, width, height}, e.g. an ImageData). Returns
  // { empty: true } for a blank drawing, else { digit, confidence, probs[10], image (784 floats 0..1),
  // preMs, invokeMs }. Throws on runtime errors.
  classify(imageData) {
    const m = this.rt.mod;
    const { data, width, height } = imageData;
    const n = width * height * 4;
    if (n > this.bufSize) {
      if (this.buf) m._tlw_free(this.buf);
      this.buf = m._tlw_malloc(n);
      this.bufSize = this.buf ? n : 0;
      if (!this.buf) throw new Error('out of memory for the image');
    }
    m.HEAPU8.set(data, this.buf);
    const r = m._tlw_classify_rgba(this.slot, this.buf, width, height);
    if (r === -2) throw new Error(this.rt.error());
    return this._result(r);
  }

  // Runs the model `runs` times on its last 28x28 image; returns the median invoke time in ms.
  time(runs = 7) {
    const m = this.rt.mod, t = [];
    for (let i = 0; i < runs; i++) {
      if (m._tlw_run(this.slot) === -2) throw new Error(this.rt.error());
      t.push(m._tlw_invoke_ms(this.slot));
    }
    t.sort((a, b) => a - b);
    return t[t.length >> 1];
  }

  _result(r) {
    const m = this.rt.mod;
    const preMs = m._tlw_pre_ms(this.slot), invokeMs = m._tlw_invoke_ms(this.slot);
    if (r === -1) return { empty: true, preMs, invokeMs };
    // Views are made after the call: memory growth replaces the heap's buffer.
    const probs = Array.from(new Float32Array(m.HEAPF32.buffer, m._tlw_probs(this.slot), 10));
    const image = new Float32Array(m.HEAPF32.buffer, m._tlw_image(this.slot), 784).slice();
    return { empty: false, digit: r, confidence: probs[r], probs, image, preMs, invokeMs };
  }

  free() {
    const m = this.rt.mod;
    if (this.buf) m._tlw_free(this.buf);
    m._tlw_unload(this.slot);
    this.buf = this.bufSize = 0;
    this.slot = -1;
  }
}
