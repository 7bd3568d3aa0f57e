/* SPDX-License-Identifier: Apache-2.0
 * A client written only against TensorFlow Lite's C API, built twice (against tinylite and against
 * TensorFlow Lite's own library): for every golden case of a corpus model it loads the file from
 * memory (TfLiteModelCreate), sets an error reporter and a do-nothing delegate, resizes each input to
 * its own shape, allocates, fills the inputs (TfLiteTensorData for input 0, CopyFromBuffer for the
 * rest), invokes, and compares every output with the golden: integer outputs (and "exact" models)
 * byte for byte, float outputs within atol + rtol*|golden|. Each case gets a new interpreter, as the
 * goldens require. It prints what a client can observe (counts, names, types, shapes, quantization,
 * argmax) so the two builds' outputs can be compared line by line, and the library's version and
 * reported messages on stderr.
 * usage: c_api_goldens MODEL GOLDEN_DIR CASES exact|ATOL,RTOL */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensorflow/lite/c/c_api.h"
#include "tensorflow/lite/c/common.h"

static int g_reported;

static void reporter(void *user_data, const char *format, va_list args) {
  (void)user_data;
  g_reported++;
  fprintf(stderr, "reported: ");
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
}

/* A delegate that claims no nodes: TensorFlow Lite calls Prepare and keeps its own kernels. */
static TfLiteStatus prepare_nothing(struct TfLiteContext *context, struct TfLiteDelegate *delegate) {
  (void)context, (void)delegate;
  return kTfLiteOk;
}

static void *slurp(const char *path, size_t *n) {
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *b = sz >= 0 ? malloc((size_t)sz + 1) : NULL;
  if (b) *n = fread(b, 1, (size_t)sz, f);
  fclose(f);
  return b;
}

static double value(TfLiteType t, const void *d, size_t i) {
  switch (t) {
  case kTfLiteFloat32: return ((const float *)d)[i];
  case kTfLiteInt32: return ((const int32_t *)d)[i];
  case kTfLiteInt64: return (double)((const int64_t *)d)[i];
  case kTfLiteInt16: return ((const int16_t *)d)[i];
  case kTfLiteInt8: return ((const int8_t *)d)[i];
  case kTfLiteBool:
  case kTfLiteUInt8: return ((const uint8_t *)d)[i];
  default: return 0;
  }
}

static void describe(const char *what, int i, const TfLiteTensor *t) {
  TfLiteQuantizationParams q = TfLiteTensorQuantizationParams(t);
  printf("%s %d '%s' %s dims", what, i, TfLiteTensorName(t), TfLiteTypeGetName(TfLiteTensorType(t)));
  for (int d = 0; d < TfLiteTensorNumDims(t); d++) printf(" %d", TfLiteTensorDim(t, d));
  printf(" bytes %zu scale %.9g zero_point %d\n", TfLiteTensorByteSize(t), (double)q.scale, (int)q.zero_point);
}

/* Compares output j of case k with its golden; prints its argmax. 0 when it matches. */
static int check_output(const TfLiteTensor *out, const char *golden_dir, int j, int k, int exact, double atol,
                        double rtol) {
  char path[4096];
  snprintf(path, sizeof path, "%s/out%d_%d.bin", golden_dir, j, k);
  size_t gn, n = TfLiteTensorByteSize(out);
  unsigned char *g = slurp(path, &gn), *copy = malloc(n ? n : 1);
  const void *data = TfLiteTensorData(out);
  int rc = 0;
  if (!g || gn != n) {
    fprintf(stderr, "%s: %zu bytes, output %d has %zu\n", path, gn, j, n);
    rc = 1;
  } else if (!data || TfLiteTensorCopyToBuffer(out, copy, n) != kTfLiteOk || memcmp(copy, data, n)) {
    fprintf(stderr, "output %d: TfLiteTensorData and TfLiteTensorCopyToBuffer disagree\n", j);
    rc = 1;
  } else {
    TfLiteType t = TfLiteTensorType(out);
    size_t es = t == kTfLiteFloat32 || t == kTfLiteInt32 ? 4 : t == kTfLiteInt64 ? 8 : t == kTfLiteInt16 ? 2 : 1;
    size_t best = 0;
    for (size_t i = 0; i < n / es; i++) {
      double a = value(t, data, i), b = value(t, g, i);
      if (a > value(t, data, best)) best = i;
      int same = (exact || t != kTfLiteFloat32) ? !memcmp((const char *)data + i * es, g + i * es, es)
                                                : fabs(a - b) <= atol + rtol * fabs(b);
      if (!same && !rc) {
        fprintf(stderr, "output %d case %d element %zu: %.9g, golden %.9g\n", j, k, i, a, b);
        rc = 1;
      }
    }
    printf("case %d output %d argmax %zu%s\n", k, j, best, rc ? " MISMATCH" : "");
  }
  free(g);
  free(copy);
  return rc;
}

static int run_case(const TfLiteModel *model, const char *golden_dir, int k, int exact, double atol, double rtol) {
  TfLiteDelegate delegate;
  memset(&delegate, 0, sizeof delegate);
  delegate.Prepare = prepare_nothing;
  delegate.flags = kTfLiteDelegateFlagsAllowDynamicTensors; /* else TFLite refuses graphs with dynamic tensors */
  TfLiteInterpreterOptions *options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetNumThreads(options, 2);
  TfLiteInterpreterOptionsSetErrorReporter(options, reporter, NULL);
  TfLiteInterpreterOptionsAddDelegate(options, &delegate);
  TfLiteInterpreter *ip = TfLiteInterpreterCreate(model, options);
  int rc = 0;
  if (!ip) {
    fprintf(stderr, "TfLiteInterpreterCreate failed\n");
    TfLiteInterpreterOptionsDelete(options);
    return 1;
  }
  const int n_in = TfLiteInterpreterGetInputTensorCount(ip);
  for (int i = 0; i < n_in && !rc; i++) { /* resizing to the same shape must be accepted */
    const TfLiteTensor *t = TfLiteInterpreterGetInputTensor(ip, i);
    int dims[16], nd = TfLiteTensorNumDims(t);
    for (int d = 0; d < nd && d < 16; d++) dims[d] = TfLiteTensorDim(t, d);
    rc = TfLiteInterpreterResizeInputTensor(ip, i, dims, nd) != kTfLiteOk;
  }
  if (rc || TfLiteInterpreterAllocateTensors(ip) != kTfLiteOk) {
    fprintf(stderr, "resize/allocate failed\n");
    rc = 1;
  }
  for (int i = 0; i < n_in && !rc; i++) {
    TfLiteTensor *t = TfLiteInterpreterGetInputTensor(ip, i);
    char path[4096];
    snprintf(path, sizeof path, "%s/in%d_%d.bin", golden_dir, i, k);
    size_t n;
    void *in = slurp(path, &n);
    if (k == 0) describe("input", i, t);
    if (!in || n != TfLiteTensorByteSize(t)) {
      fprintf(stderr, "%s: %zu bytes, input %d needs %zu\n", path, n, i, TfLiteTensorByteSize(t));
      rc = 1;
    } else if (i == 0 && TfLiteTensorData(t)) {
      memcpy(TfLiteTensorData(t), in, n);
    } else if (TfLiteTensorCopyFromBuffer(t, in, n) != kTfLiteOk) {
      fprintf(stderr, "input %d: TfLiteTensorCopyFromBuffer failed\n", i);
      rc = 1;
    }
    if (k == 0 && n > 1) /* a buffer of the wrong size is refused */
      printf("input %d: copy of %zu bytes %s\n", i, n - 1,
             TfLiteTensorCopyFromBuffer(t, in, n - 1) == kTfLiteOk ? "ACCEPTED" : "refused");
    free(in);
  }
  if (!rc && TfLiteInterpreterInvoke(ip) != kTfLiteOk) {
    fprintf(stderr, "invoke failed\n");
    rc = 1;
  }
  const int n_out = TfLiteInterpreterGetOutputTensorCount(ip);
  for (int j = 0; j < n_out && !rc; j++) {
    const TfLiteTensor *out = TfLiteInterpreterGetOutputTensor(ip, j);
    if (k == 0) describe("output", j, out);
    rc |= check_output(out, golden_dir, j, k, exact, atol, rtol);
  }
  if (k == 0) printf("inputs %d outputs %d\n", n_in, n_out);
  TfLiteInterpreterDelete(ip);
  TfLiteInterpreterOptionsDelete(options);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s MODEL GOLDEN_DIR CASES exact|ATOL,RTOL\n", argv[0]);
    return 2;
  }
  const int cases = atoi(argv[3]), exact = !strcmp(argv[4], "exact");
  double atol = 0, rtol = 0;
  if (!exact && sscanf(argv[4], "%lf,%lf", &atol, &rtol) != 2) {
    fprintf(stderr, "tolerance '%s': expected exact or ATOL,RTOL\n", argv[4]);
    return 2;
  }
  fprintf(stderr, "library version %s\n", TfLiteVersion());
  size_t n;
  void *bytes = slurp(argv[1], &n);
  TfLiteModel *model = bytes ? TfLiteModelCreate(bytes, n) : NULL; /* bytes outlive the model */
  if (!model) {
    fprintf(stderr, "cannot load %s\n", argv[1]);
    free(bytes);
    return 1;
  }
  TfLiteModel *cut = TfLiteModelCreate(bytes, n / 2);
  printf("a truncated model is %s\n", cut ? "ACCEPTED" : "refused");
  TfLiteModelDelete(cut);
  int failed = 0;
  for (int k = 0; k < cases; k++) failed += run_case(model, argv[2], k, exact, atol, rtol);
  printf("%d cases, %d failed\n", cases, failed);
  fprintf(stderr, "%d message(s) reported\n", g_reported);
  TfLiteModelDelete(model);
  free(bytes);
  return failed != 0 || cases < 1;
}
