/* SPDX-License-Identifier: Apache-2.0
 * Signatures: a model with two signatures on two subgraphs ("add_one": y = x + 1 on subgraph 0,
 * "triple": z = 3 w on subgraph 1, with a dynamic batch), run by key through tinylite's API
 * (tl_interp_options.subgraph, names from the signature) and through TensorFlow Lite's signature
 * runner C API, including a resized input. Unknown keys and names are refused. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "format/tflite_writer.h"
#include "tensorflow/lite/c/c_api_experimental.h"
#include "test.h"
#include "tinylite.h"

static char g_path[256];

static int write_model(void) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int32_t d[1] = {4}, sig[1] = {-1}, one[1] = {1};
  const float c1 = 1.f, c3 = 3.f;
  const int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 1, d, NULL, 0, NULL, 0);
  const int k1 = tl_tfl_add_const_tensor(b, 0, "one", TL_TFL_FLOAT32, 1, one, &c1, 4, NULL);
  const int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 1, d, NULL, 0, NULL, 0);
  const int a_in[2] = {x, k1};
  tl_tfl_options add = tl_tfl_opts_add(TL_TFL_ACT_NONE), mul = tl_tfl_opts_mul(TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, 0, TL_BUILTIN_ADD, 1, a_in, 2, &y, 1, &add);
  tl_tfl_set_io(b, 0, &x, 1, &y, 1);
  const int s1 = tl_tfl_add_subgraph(b, "triple");
  const int w = tl_tfl_add_tensor(b, s1, "w", TL_TFL_FLOAT32, 1, d, sig, 0, NULL, 0);
  const int k3 = tl_tfl_add_const_tensor(b, s1, "three", TL_TFL_FLOAT32, 1, one, &c3, 4, NULL);
  const int z = tl_tfl_add_tensor(b, s1, "z", TL_TFL_FLOAT32, 1, d, sig, 0, NULL, 0);
  const int m_in[2] = {w, k3};
  tl_tfl_add_op(b, s1, TL_BUILTIN_MUL, 1, m_in, 2, &z, 1, &mul);
  tl_tfl_set_io(b, s1, &w, 1, &z, 1);
  const char *in0[1] = {"value"}, *out0[1] = {"plus_one"}, *in1[1] = {"value"}, *out1[1] = {"tripled"};
  tl_tfl_add_signature(b, "add_one", 0, in0, &x, 1, out0, &y, 1);
  tl_tfl_add_signature(b, "triple", s1, in1, &w, 1, out1, &z, 1);
  char err[256];
  const int rc = tl_tfl_write_file(b, g_path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc == 0;
}

TEST(signatures_run_by_key_in_tinylite) {
  EXPECT(write_model());
  char err[256];
  tl_model *m;
  EXPECT_EQ(tl_model_open(g_path, &m, err, sizeof err), TL_OK);
  const char *key;
  int sg = -1;
  EXPECT_EQ(tl_model_signature(m, 1, &key, &sg, NULL, NULL), TL_OK);
  EXPECT(!strcmp(key, "triple"));
  EXPECT_EQ(sg, 1);
  tl_interp_options o = {0};
  o.subgraph = sg;
  tl_interp *ip;
  EXPECT_EQ(tl_interp_new(m, &o, &ip), TL_OK);
  const int32_t six[1] = {6};
  EXPECT_EQ(tl_interp_resize_input(ip, 0, 1, six), TL_OK);
  EXPECT_EQ(tl_interp_allocate(ip), TL_OK);
  tl_tensor *in = tl_interp_input_by_name(ip, "value"), *out = tl_interp_output_by_name(ip, "tripled");
  EXPECT(in != NULL && out != NULL && tl_interp_output_by_name(ip, "plus_one") == NULL);
  if (in && out) {
    const float v[6] = {1, 2, 3, -4, 0.5f, 10};
    EXPECT_EQ(tl_tensor_copy_from(in, v, sizeof v), TL_OK);
    EXPECT_EQ(tl_interp_invoke(ip), TL_OK);
    const float *r = tl_tensor_data(out);
    EXPECT_EQ(tl_tensor_dim(out, 0), 6);
    EXPECT(r[0] == 3.f && r[3] == -12.f && r[5] == 30.f);
  }
  tl_interp_free(ip);
  o.subgraph = 2; /* there are two subgraphs */
  EXPECT_EQ(tl_interp_new(m, &o, &ip), TL_ERR_ARG);
  tl_model_close(m);
}

TEST(signature_runner_c_api) {
  EXPECT(write_model());
  TfLiteModel *model = TfLiteModelCreateFromFile(g_path);
  EXPECT(model != NULL);
  if (!model) return;
  TfLiteInterpreter *it = TfLiteInterpreterCreate(model, NULL);
  EXPECT_EQ(TfLiteInterpreterGetSignatureCount(it), 2);
  EXPECT(!strcmp(TfLiteInterpreterGetSignatureKey(it, 0), "add_one"));
  EXPECT(TfLiteInterpreterGetSignatureRunner(it, "no_such_key") == NULL);
  for (int k = 0; k < 2; k++) {
    TfLiteSignatureRunner *r = TfLiteInterpreterGetSignatureRunner(it, k ? "triple" : "add_one");
    EXPECT(r != NULL);
    if (!r) continue;
    EXPECT_EQ((int)TfLiteSignatureRunnerGetInputCount(r), 1);
    EXPECT(!strcmp(TfLiteSignatureRunnerGetInputName(r, 0), "value"));
    const char *oname = TfLiteSignatureRunnerGetOutputName(r, 0);
    EXPECT(!strcmp(oname, k ? "tripled" : "plus_one"));
    const int dims[1] = {3};
    if (k) EXPECT_EQ(TfLiteSignatureRunnerResizeInputTensor(r, "value", dims, 1), kTfLiteOk);
    EXPECT_EQ(TfLiteSignatureRunnerResizeInputTensor(r, "nope", dims, 1), kTfLiteError);
    EXPECT_EQ(TfLiteSignatureRunnerAllocateTensors(r), kTfLiteOk);
    const float v[4] = {2, -1, 7, 0};
    const size_t n = k ? 3 : 4;
    EXPECT_EQ(TfLiteTensorCopyFromBuffer(TfLiteSignatureRunnerGetInputTensor(r, "value"), v, n * 4), kTfLiteOk);
    EXPECT_EQ(TfLiteSignatureRunnerInvoke(r), kTfLiteOk);
    float got[4] = {0};
    EXPECT_EQ(TfLiteTensorCopyToBuffer(TfLiteSignatureRunnerGetOutputTensor(r, oname), got, n * 4), kTfLiteOk);
    for (size_t i = 0; i < n; i++) EXPECT(got[i] == (k ? 3 * v[i] : v[i] + 1));
    TfLiteSignatureRunnerDelete(r);
  }
  TfLiteInterpreterDelete(it);
  TfLiteModelDelete(model);
}

int main(int argc, char **argv) {
  snprintf(g_path, sizeof g_path, "/tmp/tl_signatures_%ld.tflite", (long)getpid());
  static const tl_test_case cases[] = {T(signatures_run_by_key_in_tinylite), T(signature_runner_c_api)};
  const int rc = tl_test_main(argc, argv, cases, 2);
  unlink(g_path);
  return rc;
}
