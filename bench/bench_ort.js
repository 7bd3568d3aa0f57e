#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// ONNX Runtime (npm onnxruntime-node, CPU EP) timing of one model for bench/infer_vs_peers.sh:
// per-call time of session.run at a given batch and intra-op thread count, one RESULT line in the
// same format as bench_infer and the XNNPACK harness.
// usage: node bench_ort.js MODEL.onnx BATCH THREADS ITERS WARMUP   (env ORT_DIR: npm prefix)
'use strict';
const os = require('os');
const path = require('path');
const ORT_DIR = process.env.ORT_DIR || path.join(os.homedir(), '.cache', 'peers', 'ort');
const ort = require(path.join(ORT_DIR, 'node_modules', 'onnxruntime-node'));

async function main() {
  const [model, batch, threads, iters, warmup] = [process.argv[2], +process.argv[3], +process.argv[4],
    +process.argv[5], +process.argv[6]];
  const sess = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
    intraOpNumThreads: threads, interOpNumThreads: 1,
  });
  const x = new Float32Array(batch * 784);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 24) / 255;
  const feeds = { [sess.inputNames[0]]: new ort.Tensor('float32', x, [batch, 28, 28]) };
  for (let i = 0; i < warmup; i++) await sess.run(feeds);
  const t = new Float64Array(iters);
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    await sess.run(feeds);
    t[i] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  const s = Array.from(t).sort((a, b) => a - b);
  const q = (p) => s[Math.round(p * (s.length - 1))];
  const med = q(0.5);
  console.log(`RESULT impl=ort-${ort.env.versions.common} batch=${batch} threads=${threads} iters=${iters} ` +
    `median_us=${med.toFixed(2)} p10_us=${q(0.1).toFixed(2)} p90_us=${q(0.9).toFixed(2)} ` +
    `us_per_image=${(med / batch).toFixed(2)} images_per_s=${(1e6 * batch / med).toFixed(0)}`);
  await sess.release();
}
main().catch((e) => { console.error(e); process.exit(1); });
