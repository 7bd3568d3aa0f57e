/* SPDX-License-Identifier: Apache-2.0
 * Export of a trained network to a float32 .tflite file through the project's FlatBuffers writer,
 * in the graph TF's converter emits for the equivalent Keras Sequential model: RESHAPE from the
 * [1,H,W] input, CONV_2D/FULLY_CONNECTED with fused ReLU, pools, RESHAPE for Flatten, a final
 * SOFTMAX; dropout removed, BatchNorm folded into the preceding conv/dense. Weights are written
 * OHWI for conv (ours are HWIO) and [out,in] for dense (ours are [in,out]). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinylite.h"
#include "train.h"

#include "format/tflite_writer.h"

/* one exported compute op after lowering (dropout dropped, BN/ReLU folded) */
typedef struct {
  int layer;    /* index of the conv/dense/pool/flatten/relu layer */
  float *w, *b; /* conv/dense: exported weights (OHWI or [out,in]) and bias, owned */
  int relu;
} xop;

static int dims_of(const tl_shape3 s, int flat, int32_t *d) {
  d[0] = 1;
  if (flat) {
    d[1] = (int32_t)tl_shape_size(s);
    return 2;
  }
  d[1] = s.h;
  d[2] = s.w;
  d[3] = s.c;
  return 4;
}

int tl_train_export_tflite(const tl_net *net, const char *path, char *err, size_t errlen) {
  xop ops[128];
  int nops = 0, rc = 1;
  memset(ops, 0, sizeof ops);
  tl_tfl_builder *b = NULL;

  /* ---- lowering ---- */
  for (int l = 1; l < net->nlayers; l++) {
    const tl_layer *L = &net->layers[l];
    if (nops >= 127) {
      tl_train_set_err(err, errlen, "export: too many layers");
      goto done;
    }
    switch (L->kind) {
      case TL_LAYER_DROPOUT: continue; /* identity at inference, removed like TF's converter */
      case TL_LAYER_CONV2D:
      case TL_LAYER_DENSE: {
        xop *o = &ops[nops++];
        o->layer = l;
        o->relu = L->relu;
        int O = L->units;
        int inner = (int)(L->nw / (size_t)O); /* kh*kw*cin or input size */
        o->w = malloc(sizeof(float) * L->nw);
        o->b = calloc((size_t)O, sizeof(float));
        if (!o->w || !o->b) {
          tl_train_set_err(err, errlen, "export: out of memory");
          goto done;
        }
        /* ours: [inner][O] (HWIO / [in][out]); TFLite: [O][inner] (OHWI / [out][in]) */
        const float *W = net->params + L->w;
        for (int i = 0; i < inner; i++)
          for (int j = 0; j < O; j++) o->w[(size_t)j * inner + i] = W[(size_t)i * O + j];
        if (L->bias) memcpy(o->b, net->params + L->b, sizeof(float) * O);
        break;
      }
      case TL_LAYER_BATCHNORM: {
        xop *p = nops ? &ops[nops - 1] : NULL;
        const tl_layer *PL = p ? &net->layers[p->layer] : NULL;
        if (!p || !p->w || p->relu || PL->units != L->out.c) {
          tl_train_set_err(err, errlen,
                           "export: batchnorm (layer %d) must directly follow a conv/dense without "
                           "activation to be folded",
                           l);
          goto done;
        }
        const float *gamma = net->params + L->w, *beta = net->params + L->b;
        const float *mean = net->state + L->st, *var = mean + L->out.c;
        int O = PL->units, inner = (int)(PL->nw / (size_t)O);
        for (int c = 0; c < O; c++) {
          float s = gamma[c] / sqrtf(var[c] + L->eps);
          for (int i = 0; i < inner; i++) p->w[(size_t)c * inner + i] *= s;
          p->b[c] = (p->b[c] - mean[c]) * s + beta[c];
        }
        break;
      }
      case TL_LAYER_RELU: {
        xop *p = nops ? &ops[nops - 1] : NULL;
        if (p && p->w && !p->relu) {
          p->relu = 1; /* TF fuses a following ReLU into CONV_2D / FULLY_CONNECTED */
        } else {
          ops[nops].layer = l;
          nops++;
        }
        break;
      }
      default:
        ops[nops].layer = l;
        nops++;
        break;
    }
  }

  /* ---- graph ---- */
  b = tl_tfl_builder_new();
  if (!b) {
    tl_train_set_err(err, errlen, "export: out of memory");
    goto done;
  }
  tl_tfl_set_description(b, "tinylite " TL_VERSION_STRING " train"); /* who wrote the file */
  {
    char ver[16] = "1.5.0";
    tl_tfl_add_metadata_bytes(b, "min_runtime_version", ver, sizeof ver);
  }
  const tl_shape3 in = net->input;
  int32_t d[4], sig[4];
  int nd;
  /* the Keras tutorial's input is [batch, 28, 28] (Reshape adds the channel) */
  if (in.c == 1) {
    d[0] = 1;
    d[1] = in.h;
    d[2] = in.w;
    nd = 3;
  } else {
    d[0] = 1;
    d[1] = in.h;
    d[2] = in.w;
    d[3] = in.c;
    nd = 4;
  }
  memcpy(sig, d, sizeof d);
  sig[0] = -1;
  int cur = tl_tfl_add_tensor(b, 0, "serving_default_input:0", TL_TFL_FLOAT32, nd, d, sig, 0, NULL, 0);
  const int input_tensor = cur;
  int nconv = 0, ndense = 0, npool = 0, nflat = 0, nrelu = 0;
  char name[128];
  /* the tutorial's Reshape(28,28,1) layer */
  {
    int32_t shp[4] = {-1, in.h, in.w, in.c};
    int sb = tl_tfl_add_buffer(b, shp, sizeof shp);
    int32_t sd[1] = {4};
    int st = tl_tfl_add_tensor(b, 0, "sequential/reshape/Reshape/shape", TL_TFL_INT32, 1, sd, NULL, sb, NULL, 0);
    nd = dims_of(in, 0, d);
    memcpy(sig, d, sizeof d);
    sig[0] = -1;
    int out = tl_tfl_add_tensor(b, 0, "sequential/reshape/Reshape", TL_TFL_FLOAT32, nd, d, sig, 0, NULL, 0);
    int32_t ins[2] = {cur, st}, outs[1] = {out};
    /* TF's converter gives RESHAPE its shape as a tensor and no ReshapeOptions */
    tl_tfl_add_op(b, 0, TL_BUILTIN_RESHAPE, 1, ins, 2, outs, 1, NULL);
    cur = out;
  }
  for (int i = 0; i < nops; i++) {
    const xop *o = &ops[i];
    const tl_layer *L = &net->layers[o->layer];
    int flat = L->out.h == 1 && L->out.w == 1 && (L->kind == TL_LAYER_DENSE || L->kind == TL_LAYER_FLATTEN);
    if (L->kind == TL_LAYER_RELU) flat = L->in.h == 1 && L->in.w == 1;
    nd = dims_of(L->out, flat, d);
    memcpy(sig, d, sizeof d);
    sig[0] = -1;
    switch (L->kind) {
      case TL_LAYER_CONV2D: {
        char scope[48];
        snprintf(scope, sizeof scope, nconv ? "sequential/conv2d_%d" : "sequential/conv2d", nconv);
        nconv++;
        int32_t wd[4] = {L->units, L->kh, L->kw, L->in.c}, bd[1] = {L->units};
        int wb = tl_tfl_add_buffer(b, o->w, sizeof(float) * L->nw);
        int bb = tl_tfl_add_buffer(b, o->b, sizeof(float) * L->units);
        snprintf(name, sizeof name, "%s/Conv2D", scope);
        int wt = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, 4, wd, NULL, wb, NULL, 0);
        snprintf(name, sizeof name, "%s/BiasAdd/ReadVariableOp", scope);
        int bt = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, 1, bd, NULL, bb, NULL, 0);
        snprintf(name, sizeof name, "%s/%s", scope, o->relu ? "Relu" : "BiasAdd");
        int out = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, nd, d, sig, 0, NULL, 0);
        tl_tfl_options opt = tl_tfl_opts_conv2d(L->same ? TL_TFL_PAD_SAME : TL_TFL_PAD_VALID, L->sw, L->sh,
                                                o->relu ? TL_TFL_ACT_RELU : TL_TFL_ACT_NONE, 1, 1);
        int32_t ins[3] = {cur, wt, bt}, outs[1] = {out};
        tl_tfl_add_op(b, 0, TL_BUILTIN_CONV_2D, 1, ins, 3, outs, 1, &opt);
        cur = out;
        break;
      }
      case TL_LAYER_DENSE: {
        char scope[48];
        snprintf(scope, sizeof scope, ndense ? "sequential/dense_%d" : "sequential/dense", ndense);
        ndense++;
        int I = (int)tl_shape_size(L->in);
        int32_t wd[2] = {L->units, I}, bd[1] = {L->units};
        int wb = tl_tfl_add_buffer(b, o->w, sizeof(float) * L->nw);
        int bb = tl_tfl_add_buffer(b, o->b, sizeof(float) * L->units);
        snprintf(name, sizeof name, "%s/MatMul", scope);
        int wt = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, 2, wd, NULL, wb, NULL, 0);
        snprintf(name, sizeof name, "%s/BiasAdd/ReadVariableOp", scope);
        int bt = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, 1, bd, NULL, bb, NULL, 0);
        snprintf(name, sizeof name, "%s/%s", scope, o->relu ? "Relu" : "BiasAdd");
        int out = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, nd, d, sig, 0, NULL, 0);
        tl_tfl_options opt =
            tl_tfl_opts_fully_connected(o->relu ? TL_TFL_ACT_RELU : TL_TFL_ACT_NONE, TL_TFL_FC_WEIGHTS_DEFAULT, 0, 0);
        int32_t ins[3] = {cur, wt, bt}, outs[1] = {out};
        tl_tfl_add_op(b, 0, TL_BUILTIN_FULLY_CONNECTED, 1, ins, 3, outs, 1, &opt);
        cur = out;
        break;
      }
      case TL_LAYER_MAXPOOL2D:
      case TL_LAYER_AVGPOOL2D: {
        int mx = L->kind == TL_LAYER_MAXPOOL2D;
        const char *base = mx ? "max_pooling2d" : "average_pooling2d";
        if (npool)
          snprintf(name, sizeof name, "sequential/%s_%d/%s", base, npool, mx ? "MaxPool" : "AvgPool");
        else
          snprintf(name, sizeof name, "sequential/%s/%s", base, mx ? "MaxPool" : "AvgPool");
        npool++;
        int out = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, nd, d, sig, 0, NULL, 0);
        tl_tfl_options opt = tl_tfl_opts_pool2d(L->same ? TL_TFL_PAD_SAME : TL_TFL_PAD_VALID, L->sw, L->sh, L->kw,
                                                L->kh, TL_TFL_ACT_NONE);
        int32_t ins[1] = {cur}, outs[1] = {out};
        tl_tfl_add_op(b, 0, mx ? TL_BUILTIN_MAX_POOL_2D : TL_BUILTIN_AVERAGE_POOL_2D, 1, ins, 1, outs, 1, &opt);
        cur = out;
        break;
      }
      case TL_LAYER_FLATTEN: {
        char scope[48];
        snprintf(scope, sizeof scope, nflat ? "sequential/flatten_%d" : "sequential/flatten", nflat);
        nflat++;
        int32_t shp[2] = {-1, (int32_t)tl_shape_size(L->out)}, sd[1] = {2};
        int sb = tl_tfl_add_buffer(b, shp, sizeof shp);
        snprintf(name, sizeof name, "%s/Const", scope);
        int st = tl_tfl_add_tensor(b, 0, name, TL_TFL_INT32, 1, sd, NULL, sb, NULL, 0);
        snprintf(name, sizeof name, "%s/Reshape", scope);
        int out = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, nd, d, sig, 0, NULL, 0);
        int32_t ins[2] = {cur, st}, outs[1] = {out};
        tl_tfl_add_op(b, 0, TL_BUILTIN_RESHAPE, 1, ins, 2, outs, 1, NULL);
        cur = out;
        break;
      }
      case TL_LAYER_RELU: {
        snprintf(name, sizeof name, nrelu ? "sequential/re_lu_%d/Relu" : "sequential/re_lu/Relu", nrelu);
        nrelu++;
        int out = tl_tfl_add_tensor(b, 0, name, TL_TFL_FLOAT32, nd, d, sig, 0, NULL, 0);
        int32_t ins[1] = {cur}, outs[1] = {out};
        tl_tfl_add_op(b, 0, TL_BUILTIN_RELU, 1, ins, 1, outs, 1, NULL);
        cur = out;
        break;
      }
      default: tl_train_set_err(err, errlen, "export: layer %d cannot be exported", o->layer); goto done;
    }
  }
  {
    const tl_layer *last = &net->layers[net->nlayers - 1];
    if (!(last->out.h == 1 && last->out.w == 1)) {
      tl_train_set_err(err, errlen, "export: the network must end in a dense layer (logits)");
      goto done;
    }
    int32_t od[2] = {1, last->out.c}, os[2] = {-1, last->out.c};
    int out = tl_tfl_add_tensor(b, 0, "StatefulPartitionedCall:0", TL_TFL_FLOAT32, 2, od, os, 0, NULL, 0);
    tl_tfl_options opt = tl_tfl_opts_softmax(1.0f);
    int32_t ins[1] = {cur}, outs[1] = {out};
    tl_tfl_add_op(b, 0, TL_BUILTIN_SOFTMAX, 1, ins, 1, outs, 1, &opt);
    int32_t gi[1] = {input_tensor}, go[1] = {out};
    tl_tfl_set_io(b, 0, gi, 1, go, 1);
    const char *in_names[1] = {"input"}, *out_names[1] = {"output_0"};
    tl_tfl_add_signature(b, "serving_default", 0, in_names, gi, 1, out_names, go, 1);
  }
  if (tl_tfl_write_file(b, path, err, errlen) != 0) goto done;
  rc = 0;
done:
  for (int i = 0; i < nops; i++) {
    free(ops[i].w);
    free(ops[i].b);
  }
  tl_tfl_builder_free(b);
  return rc;
}
