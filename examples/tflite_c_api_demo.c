/* SPDX-License-Identifier: Apache-2.0
 * A program written only against TensorFlow Lite's C API: runs a model on a raw input tensor and
 * prints the first output. It builds unchanged against tinylite or TensorFlow Lite's own library,
 * which is how the test suite shows that names, signatures and enum values match.
 * usage: tflite_c_api_demo MODEL INPUT.bin [GOLDEN.bin]  (GOLDEN: float outputs within 1e-5+1e-4|b|) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tensorflow/lite/c/c_api.h"

static void *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *b = malloc((size_t)sz + 1);
  *n = b ? fread(b, 1, (size_t)sz, f) : 0;
  fclose(f);
  return b;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s MODEL INPUT.bin [GOLDEN.bin]\n", argv[0]);
    return 2;
  }
  TfLiteModel *model = TfLiteModelCreateFromFile(argv[1]);
  if (!model) {
    fprintf(stderr, "cannot load %s\n", argv[1]);
    return 1;
  }
  TfLiteInterpreterOptions *options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetNumThreads(options, 1);
  TfLiteInterpreter *interpreter = TfLiteInterpreterCreate(model, options);
  if (!interpreter || TfLiteInterpreterAllocateTensors(interpreter) != kTfLiteOk) {
    fprintf(stderr, "cannot allocate tensors\n");
    return 1;
  }
  TfLiteTensor *input = TfLiteInterpreterGetInputTensor(interpreter, 0);
  size_t n = 0;
  void *in = slurp(argv[2], &n);
  if (!in || TfLiteTensorCopyFromBuffer(input, in, n) != kTfLiteOk) {
    fprintf(stderr, "input %s: %zu bytes, tensor needs %zu\n", argv[2], n, TfLiteTensorByteSize(input));
    return 1;
  }
  if (TfLiteInterpreterInvoke(interpreter) != kTfLiteOk) {
    fprintf(stderr, "invoke failed\n");
    return 1;
  }
  const TfLiteTensor *output = TfLiteInterpreterGetOutputTensor(interpreter, 0);
  TfLiteQuantizationParams q = TfLiteTensorQuantizationParams(input);
  printf("inputs %d outputs %d\n", TfLiteInterpreterGetInputTensorCount(interpreter),
         TfLiteInterpreterGetOutputTensorCount(interpreter));
  printf("input '%s' type %d (%s) dims", TfLiteTensorName(input), (int)TfLiteTensorType(input),
         TfLiteTypeGetName(TfLiteTensorType(input)));
  for (int i = 0; i < TfLiteTensorNumDims(input); i++) printf(" %d", TfLiteTensorDim(input, i));
  printf(" scale %g zero_point %d\n", (double)q.scale, (int)q.zero_point);
  printf("output '%s' type %d bytes %zu\n", TfLiteTensorName(output), (int)TfLiteTensorType(output),
         TfLiteTensorByteSize(output));
  int rc = 0;
  if (TfLiteTensorType(output) == kTfLiteFloat32) {
    size_t count = TfLiteTensorByteSize(output) / sizeof(float);
    float *out = malloc(count * sizeof(float));
    TfLiteTensorCopyToBuffer(output, out, count * sizeof(float));
    size_t best = 0;
    for (size_t i = 0; i < count; i++) {
      printf("%s%.9g", i ? " " : "values ", (double)out[i]);
      if (out[i] > out[best]) best = i;
    }
    printf("\nargmax %zu\n", best);
    if (argc > 3) {
      size_t gn;
      float *g = slurp(argv[3], &gn);
      if (!g || gn != count * sizeof(float)) {
        fprintf(stderr, "golden %s has the wrong size\n", argv[3]);
        rc = 1;
      }
      for (size_t i = 0; !rc && i < count; i++)
        if (!(fabs(out[i] - g[i]) <= 1e-5 + 1e-4 * fabs(g[i]))) {
          fprintf(stderr, "output %zu: %.9g, golden %.9g\n", i, (double)out[i], (double)g[i]);
          rc = 1;
        }
      free(g);
    }
    free(out);
  }
  free(in);
  TfLiteInterpreterDelete(interpreter);
  TfLiteInterpreterOptionsDelete(options);
  TfLiteModelDelete(model);
  return rc;
}
