/* SPDX-License-Identifier: Apache-2.0
 * The .tflite writer's options and copies: refused builder calls with their messages, generic
 * option fields and raw table copies, the typed option helpers read back, and models (our own and
 * the corpus's) copied through the writer and run by both runtimes. */
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/flatbuf.h"
#include "format/model.h"
#include "format/tflite_writer.h"
#include "model_copy.h"
#include "test.h"
#include "tinylite.h"
#include "writer_util.h"

static cnn_w cnnw;

TEST(errors_are_reported) {
  char err[256] = "";
  uint8_t *buf = NULL;
  size_t n = 0;
  /* no outputs */
  tl_tfl_builder *b = tl_tfl_builder_new();
  EXPECT_EQ(tl_tfl_finish(b, &buf, &n, err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "no outputs");
  EXPECT(buf == NULL);
  tl_tfl_builder_free(b);
  /* buffer size does not match the shape */
  b = tl_tfl_builder_new();
  float w[5] = {0};
  int32_t s[] = {2, 3};
  int bw = tl_tfl_add_buffer(b, w, sizeof w);
  int t = tl_tfl_add_tensor(b, 0, "w", TL_TFL_FLOAT32, 2, s, NULL, bw, NULL, 0);
  tl_tfl_set_io(b, 0, NULL, 0, &t, 1);
  EXPECT_EQ(tl_tfl_finish(b, &buf, &n, err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "holds 20 bytes, shape needs 24");
  tl_tfl_builder_free(b);
  /* bad tensor index in an op, sticky errors */
  b = tl_tfl_builder_new();
  t = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, s, NULL, 0, NULL, 0);
  int32_t bad[] = {t, 7};
  EXPECT_EQ(tl_tfl_add_op(b, 0, TL_BUILTIN_ADD, 1, bad, 2, &t, 1, NULL), 0);
  EXPECT_EQ(tl_tfl_add_tensor(b, 3, "y", TL_TFL_FLOAT32, 0, NULL, NULL, 0, NULL, 0), -1);
  EXPECT_STR_CONTAINS(tl_tfl_builder_errmsg(b), "no subgraph 3");
  tl_tfl_set_io(b, 0, &t, 1, &t, 1);
  EXPECT_EQ(tl_tfl_finish(b, &buf, &n, err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "no subgraph 3"); /* the first error wins */
  tl_tfl_builder_free(b);
  b = tl_tfl_builder_new();
  t = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, s, NULL, 0, NULL, 0);
  tl_tfl_add_op(b, 0, TL_BUILTIN_ADD, 1, bad, 2, &t, 1, NULL);
  tl_tfl_set_io(b, 0, &t, 1, &t, 1);
  EXPECT_EQ(tl_tfl_finish(b, &buf, &n, err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "op 0: input 1 refers to tensor 7");
  EXPECT_EQ(tl_tfl_add_op(b, 0, TL_BUILTIN_CUSTOM, 1, NULL, 0, NULL, 0, NULL), -1);
  tl_tfl_builder_free(b);
  /* unwritable path */
  b = build_fc((float[12]){0}, (float[3]){0});
  EXPECT_EQ(tl_tfl_write_file(b, "/nonexistent-dir/x.tflite", err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "/nonexistent-dir/x.tflite");
  tl_tfl_builder_free(b);
}

/* Generic fields, custom op, 2 subgraphs, large opcode (>127), vtable sharing, raw option copy. */
TEST(generic_fields_and_raw_copy) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  int32_t s[] = {2};
  int t0 = tl_tfl_add_tensor(b, 0, "a", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  int t1 = tl_tfl_add_tensor(b, 0, "b", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_STRIDED_SLICE);
  EXPECT_EQ(tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, -5), 0);
  EXPECT_EQ(tl_tfl_opts_set_int(&o, 5, TL_TFL_F_BOOL, 1), 0);
  EXPECT_EQ(tl_tfl_opts_set_float(&o, 2, TL_TFL_F_I32, 1.0), -1);
  tl_tfl_add_op(b, 0, TL_BUILTIN_STRIDED_SLICE, 4, &t0, 1, &t1, 1, &o);
  tl_tfl_options v = tl_tfl_opts_empty(TL_TFL_OPT_VAR_HANDLE);
  tl_tfl_opts_set_string(&v, 0, "cont");
  tl_tfl_opts_set_string(&v, 1, "shared_name");
  tl_tfl_add_op(b, 0, TL_BUILTIN_VAR_HANDLE, 1, NULL, 0, &t1, 1, &v);
  tl_tfl_options r = tl_tfl_opts_empty(TL_TFL_OPT_RANDOM);
  tl_tfl_opts_set_int(&r, 0, TL_TFL_F_I64, -1234567890123LL);
  tl_tfl_opts_set_int(&r, 1, TL_TFL_F_I64, 42);
  tl_tfl_add_op(b, 0, 148 /* RANDOM_UNIFORM */, 1, &t0, 1, &t1, 1, &r);
  int32_t sq[] = {0, 2};
  tl_tfl_options q = tl_tfl_opts_empty(TL_TFL_OPT_SQUEEZE);
  tl_tfl_opts_set_vec(&q, 0, TL_TFL_F_VEC_I32, sq, 2);
  tl_tfl_add_op(b, 0, TL_BUILTIN_SQUEEZE, 1, &t0, 1, &t1, 1, &q);
  uint8_t cust[] = {1, 2, 3};
  tl_tfl_add_custom_op(b, 0, "MyCustom", 1, &t0, 1, &t1, 1, cust, sizeof cust);
  tl_tfl_set_io(b, 0, &t0, 1, &t1, 1);
  int sg1 = tl_tfl_add_subgraph(b, "second");
  EXPECT_EQ(sg1, 1);
  int u = tl_tfl_add_tensor(b, sg1, "c", TL_TFL_INT32, 0, NULL, NULL, 0, NULL, 0);
  tl_tfl_set_io(b, sg1, &u, 1, &u, 1);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "generic.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;

  /* read it back with tinylite's FlatBuffers primitives */
  tl_fb_table root, sg, op, opt, oc;
  tl_fb_vec sgs, ops, codes, vec;
  EXPECT(tl_fb_root(buf, n, &root));
  EXPECT_EQ(tl_fb_vector(&root, TL_SCH_MODEL_SUBGRAPHS, 4, &sgs), 1);
  EXPECT_EQ(sgs.n, 2);
  EXPECT_EQ(tl_fb_vector(&root, TL_SCH_MODEL_OPERATOR_CODES, 4, &codes), 1);
  EXPECT_EQ(codes.n, 5);
  EXPECT(tl_fb_vec_table(&root, &codes, 2, &oc));
  EXPECT_EQ(tl_fb_i8(&oc, TL_SCH_OPCODE_DEPRECATED_BUILTIN_CODE, 0), 127);
  EXPECT_EQ(tl_fb_i32(&oc, TL_SCH_OPCODE_BUILTIN_CODE, 0), 148);
  EXPECT(tl_fb_vec_table(&root, &codes, 4, &oc));
  const char *str;
  uint32_t len;
  EXPECT_EQ(tl_fb_string(&oc, TL_SCH_OPCODE_CUSTOM_CODE, &str, &len), 1);
  EXPECT(!strcmp(str, "MyCustom"));
  EXPECT(tl_fb_vec_table(&root, &sgs, 0, &sg));
  EXPECT_EQ(tl_fb_vector(&sg, TL_SCH_SUBGRAPH_OPERATORS, 4, &ops), 1);
  EXPECT(tl_fb_vec_table(&sg, &ops, 0, &op));
  EXPECT_EQ(tl_fb_u8(&op, TL_SCH_OP_BUILTIN_OPTIONS_TYPE, 0), TL_TFL_OPT_STRIDED_SLICE);
  EXPECT_EQ(tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &opt), 1);
  EXPECT_EQ(tl_fb_i32(&opt, 0, 0), -5);
  EXPECT_EQ(tl_fb_u8(&opt, 5, 0), 1);
  EXPECT(tl_fb_vec_table(&sg, &ops, 2, &op));
  EXPECT_EQ(tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &opt), 1);
  EXPECT_EQ(tl_fb_i64(&opt, 0, 0), -1234567890123LL);
  EXPECT_EQ(tl_fb_i64(&opt, 1, 0), 42);
  EXPECT(tl_fb_vec_table(&sg, &ops, 4, &op));
  EXPECT_EQ(tl_fb_vector(&op, TL_SCH_OP_CUSTOM_OPTIONS, 1, &vec), 1);
  EXPECT(vec.n == 3 && vec.data[2] == 3);

  /* raw copy of every op's options into a new model; the copies must read back the same */
  tl_tfl_builder *c = tl_tfl_builder_new();
  int c0 = tl_tfl_add_tensor(c, 0, "a", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  for (uint32_t i = 0; i < 4; i++) {
    EXPECT(tl_fb_vec_table(&sg, &ops, i, &op));
    int type = tl_fb_u8(&op, TL_SCH_OP_BUILTIN_OPTIONS_TYPE, 0);
    EXPECT_EQ(tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &opt), 1);
    tl_tfl_options ro = tl_tfl_opts_raw(type, buf, n, opt.pos);
    EXPECT_EQ(tl_tfl_add_op(c, 0, TL_BUILTIN_ADD, 1, &c0, 1, &c0, 1, &ro), (int)i);
  }
  tl_tfl_options broken = tl_tfl_opts_raw(TL_TFL_OPT_SQUEEZE, buf, n, n - 2);
  EXPECT_EQ(tl_tfl_add_op(c, 0, TL_BUILTIN_ADD, 1, &c0, 1, &c0, 1, &broken), -1);
  EXPECT_STR_CONTAINS(tl_tfl_builder_errmsg(c), "raw options table");
  tl_tfl_builder_free(c);
  c = tl_tfl_builder_new();
  c0 = tl_tfl_add_tensor(c, 0, "a", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  for (uint32_t i = 0; i < 4; i++) {
    EXPECT(tl_fb_vec_table(&sg, &ops, i, &op));
    int type = tl_fb_u8(&op, TL_SCH_OP_BUILTIN_OPTIONS_TYPE, 0);
    tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &opt);
    tl_tfl_options ro = tl_tfl_opts_raw(type, buf, n, opt.pos);
    tl_tfl_add_op(c, 0, TL_BUILTIN_ADD, 1, &c0, 1, &c0, 1, &ro);
  }
  tl_tfl_set_io(c, 0, &c0, 1, &c0, 1);
  size_t n2 = 0;
  uint8_t *buf2 = finish_and_check(c, "generic_copy.tflite", &n2);
  tl_tfl_builder_free(c);
  if (buf2) {
    tl_fb_table root2, sg2, op2, opt2;
    tl_fb_vec sgs2, ops2;
    EXPECT(tl_fb_root(buf2, n2, &root2));
    EXPECT_EQ(tl_fb_vector(&root2, TL_SCH_MODEL_SUBGRAPHS, 4, &sgs2), 1);
    EXPECT(tl_fb_vec_table(&root2, &sgs2, 0, &sg2));
    EXPECT_EQ(tl_fb_vector(&sg2, TL_SCH_SUBGRAPH_OPERATORS, 4, &ops2), 1);
    EXPECT(tl_fb_vec_table(&sg2, &ops2, 0, &op2));
    EXPECT_EQ(tl_fb_subtable(&op2, TL_SCH_OP_BUILTIN_OPTIONS, &opt2), 1);
    EXPECT_EQ(tl_fb_i32(&opt2, 0, 0), -5);
    EXPECT_EQ(tl_fb_u8(&opt2, 5, 0), 1);
    EXPECT(tl_fb_vec_table(&sg2, &ops2, 1, &op2));
    EXPECT_EQ(tl_fb_subtable(&op2, TL_SCH_OP_BUILTIN_OPTIONS, &opt2), 1);
    EXPECT_EQ(tl_fb_string(&opt2, 1, &str, &len), 1);
    EXPECT(!strcmp(str, "shared_name"));
    EXPECT(tl_fb_vec_table(&sg2, &ops2, 2, &op2));
    EXPECT_EQ(tl_fb_subtable(&op2, TL_SCH_OP_BUILTIN_OPTIONS, &opt2), 1);
    EXPECT_EQ(tl_fb_i64(&opt2, 0, 0), -1234567890123LL);
    uint32_t p64 = tl_fb_field_pos(&opt2, 0, 8);
    EXPECT(p64 != 0 && p64 % 8 == 0);
    EXPECT(tl_fb_vec_table(&sg2, &ops2, 3, &op2));
    EXPECT_EQ(tl_fb_subtable(&op2, TL_SCH_OP_BUILTIN_OPTIONS, &opt2), 1);
    EXPECT_EQ(tl_fb_vector(&opt2, 0, 4, &vec), 1);
    EXPECT(vec.n == 2 && tl_fb_vec_i32(&vec, 1) == 2);
    free(buf2);
  }
  free(buf);
}

/* Every typed helper writes the schema's field ids: build one op per helper and read them back. */
TEST(typed_options_read_back) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  int32_t s[] = {2};
  int t = tl_tfl_add_tensor(b, 0, "a", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  tl_tfl_options o[8];
  o[0] = tl_tfl_opts_fully_connected(TL_TFL_ACT_RELU6, TL_TFL_FC_WEIGHTS_SHUFFLED4x16INT8, 1, 1);
  o[1] = tl_tfl_opts_depthwise_conv2d(TL_TFL_PAD_SAME, 2, 3, 4, TL_TFL_ACT_RELU, 5, 6);
  o[2] = tl_tfl_opts_concatenation(-1, TL_TFL_ACT_TANH);
  o[3] = tl_tfl_opts_add(TL_TFL_ACT_RELU);
  o[4] = tl_tfl_opts_sub(TL_TFL_ACT_RELU_N1_TO_1);
  o[5] = tl_tfl_opts_mul(TL_TFL_ACT_RELU6);
  o[6] = tl_tfl_opts_quantize();
  o[7] = tl_tfl_opts_conv2d(TL_TFL_PAD_SAME, 2, 2, TL_TFL_ACT_NONE, 2, 3);
  int codes[8] = {TL_BUILTIN_FULLY_CONNECTED, TL_BUILTIN_DEPTHWISE_CONV_2D, TL_BUILTIN_CONCATENATION, TL_BUILTIN_ADD,
                  TL_BUILTIN_SUB, TL_BUILTIN_MUL, TL_BUILTIN_QUANTIZE, TL_BUILTIN_CONV_2D};
  for (int i = 0; i < 8; i++) EXPECT_EQ(tl_tfl_add_op(b, 0, codes[i], 1, &t, 1, &t, 1, &o[i]), i);
  tl_tfl_set_io(b, 0, &t, 1, &t, 1);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "typed.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;
  tl_fb_table root, sg, op, ot[8];
  tl_fb_vec sgs, ops;
  EXPECT(tl_fb_root(buf, n, &root));
  EXPECT_EQ(tl_fb_vector(&root, TL_SCH_MODEL_SUBGRAPHS, 4, &sgs), 1);
  EXPECT(tl_fb_vec_table(&root, &sgs, 0, &sg));
  EXPECT_EQ(tl_fb_vector(&sg, TL_SCH_SUBGRAPH_OPERATORS, 4, &ops), 1);
  for (uint32_t i = 0; i < 8 && i < ops.n; i++) {
    memset(&ot[i], 0, sizeof ot[i]);
    EXPECT(tl_fb_vec_table(&sg, &ops, i, &op));
    EXPECT_EQ(tl_fb_u8(&op, TL_SCH_OP_BUILTIN_OPTIONS_TYPE, 0), o[i].type);
    EXPECT_EQ(tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &ot[i]), 1);
  }
  EXPECT_EQ(tl_fb_i8(&ot[0], TL_SCH_OPT_FULLY_CONNECTED_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU6);
  EXPECT_EQ(tl_fb_i8(&ot[0], TL_SCH_OPT_FULLY_CONNECTED_WEIGHTS_FORMAT, 0), 1);
  EXPECT_EQ(tl_fb_u8(&ot[0], TL_SCH_OPT_FULLY_CONNECTED_KEEP_NUM_DIMS, 0), 1);
  EXPECT_EQ(tl_fb_u8(&ot[0], TL_SCH_OPT_FULLY_CONNECTED_ASYMMETRIC_QUANTIZE_INPUTS, 0), 1);
  EXPECT_EQ(tl_fb_i8(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_PADDING, 0), TL_TFL_PAD_SAME);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_STRIDE_W, 0), 2);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_STRIDE_H, 0), 3);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_DEPTH_MULTIPLIER, 0), 4);
  EXPECT_EQ(tl_fb_i8(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_DILATION_W_FACTOR, 1), 5);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_DILATION_H_FACTOR, 1), 6);
  EXPECT_EQ(tl_fb_i32(&ot[2], TL_SCH_OPT_CONCATENATION_AXIS, 0), -1);
  EXPECT_EQ(tl_fb_i8(&ot[2], TL_SCH_OPT_CONCATENATION_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_TANH);
  EXPECT_EQ(tl_fb_i8(&ot[3], TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU);
  EXPECT_EQ(tl_fb_u8(&ot[3], TL_SCH_OPT_ADD_POT_SCALE_INT16, 1), 1); /* default true, omitted */
  EXPECT_EQ(tl_fb_i8(&ot[4], TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU_N1_TO_1);
  EXPECT_EQ(tl_fb_i8(&ot[5], TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU6);
  EXPECT_EQ(ot[6].tlen, 4); /* empty table: just the soffset */
  EXPECT_EQ(tl_fb_i32(&ot[7], TL_SCH_OPT_CONV2D_STRIDE_H, 0), 2);
  EXPECT_EQ(tl_fb_i32(&ot[7], TL_SCH_OPT_CONV2D_DILATION_W_FACTOR, 1), 2);
  EXPECT_EQ(tl_fb_i32(&ot[7], TL_SCH_OPT_CONV2D_DILATION_H_FACTOR, 1), 3);
  free(buf);
}

/* ---- converter path: read any model with tinylite's reader, rewrite it, run both ---------------- */


/* Rebuilds model m with the writer (buffers, tensors, ops with raw-copied options, io, signatures,
 * metadata), the way `tinylite convert --quantize none` would. Returns NULL with a message. */
/* Copies model file `src` to tmp/`dst_name`, then checks TFLite gives bit-identical outputs. */
static void copy_and_compare(const char *ref, const char *src, const char *dst_name) {
  tl_model *m = NULL;
  char err[256] = "";
  if (tl_model_open(src, &m, err, sizeof err) != TL_OK) {
    fprintf(stderr, "  %s: reader: %s\n", src, err);
    tl_test_failed_now = 1;
    return;
  }
  tl_tfl_builder *b = tl_test_copy_model(m, NULL, NULL, err, sizeof err);
  const char *dst = tmp_path(dst_name);
  int in_t = m->subgraphs[0].in[0], out_t = m->subgraphs[0].out[0];
  const tl_mtensor *ti = &m->subgraphs[0].tensors[in_t], *to = &m->subgraphs[0].tensors[out_t];
  size_t in_n = tl_type_size(ti->type), out_n = tl_type_size(to->type);
  for (int d = 0; d < ti->ndim; d++) in_n *= (size_t)ti->dims[d];
  for (int d = 0; d < to->ndim; d++) out_n *= (size_t)to->dims[d];
  int wrote = b && tl_tfl_write_file(b, dst, err, sizeof err) == 0;
  if (!wrote) fprintf(stderr, "  %s: copy: %s\n", src, err);
  EXPECT(wrote);
  int in_float = ti->type == TL_FLOAT32;
  tl_tfl_builder_free(b);
  tl_model_close(m);
  if (!wrote || !ref) return;
  uint8_t *in = malloc(in_n), *o1 = malloc(out_n), *o2 = malloc(out_n);
  for (size_t i = 0; i < in_n; i++) in[i] = (uint8_t)(rng = rng * 1664525u + 1013904223u) >> 24;
  if (in_float)
    for (size_t i = 0; i < in_n / 4; i++) ((float *)in)[i] = 0.5f * (frand() + 1.0f);
  int ok = !ref_invoke(ref, src, in, in_n, o1, out_n, "") && !ref_invoke(ref, dst, in, in_n, o2, out_n, "");
  EXPECT(ok);
  if (ok) {
    EXPECT(!memcmp(o1, o2, out_n));
    fprintf(stderr, "  copy of %s: outputs %s\n", strrchr(src, '/') ? strrchr(src, '/') + 1 : src,
            memcmp(o1, o2, out_n) ? "DIFFER" : "bit-identical");
  }
  free(in);
  free(o1);
  free(o2);
}

TEST(copy_own_and_corpus_models) {
  REQUIRE_TFLITE_REF(ref);
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  /* our CNN (signature, metadata, reshape vectors) */
  tl_tfl_builder *b = build_cnn(&cnnw);
  char err[256];
  const char *cnn = tmp_path("cnn_src.tflite");
  static char cnn_path[512];
  snprintf(cnn_path, sizeof cnn_path, "%s", cnn);
  EXPECT_EQ(tl_tfl_write_file(b, cnn_path, err, sizeof err), 0);
  tl_tfl_builder_free(b);
  copy_and_compare(ref, cnn_path, "cnn_copy.tflite");
  static const char *models[] = {
      "mnist-cnn-f16-gilvantws.tflite",       /* DEQUANTIZE fp16, SHAPE/STRIDED_SLICE/PACK, signature */
      "mnist-cnn-dynrange-melvincabatuan.tflite", /* hybrid FC v12 */
      "har-pruned-resourcevars-float-mihirscsharma.tflite", /* VAR_HANDLE strings, CALL_ONCE, 2 subgraphs */
      "hello_world_int8-int8-tensorflow.tflite",
      "har-sparse-f16-mihirscsharma.tflite", /* sparse tensors (SparsityParameters) + DENSIFY */
  };
  char buf[1024];
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
    snprintf(buf, sizeof buf, "%s/models/%s", corpus, models[i]);
    char dst[128];
    snprintf(dst, sizeof dst, "copy%zu.tflite", i);
    copy_and_compare(ref, buf, dst); /* a model missing from the corpus fails to open: a failure */
  }
}

TEST_MAIN(T(errors_are_reported), T(generic_fields_and_raw_copy), T(typed_options_read_back), T(copy_own_and_corpus_models))
