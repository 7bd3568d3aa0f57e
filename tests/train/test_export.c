/* SPDX-License-Identifier: Apache-2.0
 * The exporter writes the graph TensorFlow's converter writes: networks built by the training library
 * (weights as initialised: the structure is what is compared) are exported and compared op by op with
 * TensorFlow's own files of the same Keras networks in ../shared/tflite-corpus -- op codes and
 * versions, every option that changes results, each input/output tensor's type, shape, shape
 * signature and whether it is a constant (and its size), the model's schema version, signature and
 * metadata names. The corpus files feed their first CONV_2D differently (a uint8 CAST + EXPAND_DIMS,
 * or a 4-D input), so the comparison starts at the first CONV_2D on both sides; the part before it is
 * checked to be the tutorial's RESHAPE of a [-1,28,28] float input. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/model.h"
#include "format/schema.h"
#include "test.h"
#include "tinylite.h"
#include "train.h"

/* The option fields of each op kind that change its results: id and width (1 byte or 4). */
typedef struct {
  int builtin, n, id[6], width[6];
} opt_spec;
static const opt_spec specs[] = {
    {TL_BUILTIN_CONV_2D, 6, {0, 1, 2, 3, 4, 5}, {1, 4, 4, 1, 4, 4}},         /* padding strides act dilations */
    {TL_BUILTIN_MAX_POOL_2D, 6, {0, 1, 2, 3, 4, 5}, {1, 4, 4, 4, 4, 1}},     /* padding strides filter act */
    {TL_BUILTIN_FULLY_CONNECTED, 4, {0, 1, 2, 3}, {1, 1, 1, 1}},             /* act format keep_dims asym */
    {TL_BUILTIN_SOFTMAX, 1, {0}, {4}},                                        /* beta */
};

static long opt_field(const tl_mop *op, int id, int width) {
  if (!op->options.ok) return -1; /* absent table: every field its default */
  return width == 1 ? tl_fb_u8(&op->options, id, 0) : tl_fb_i32(&op->options, id, 0);
}

static void same_tensor(const tl_msubgraph *a, int ta, const tl_msubgraph *b, int tb, const char *what, int op) {
  if ((ta < 0) != (tb < 0)) {
    fprintf(stderr, "  op %d %s: present in one file only\n", op, what);
    tl_test_failed_now = 1;
    return;
  }
  if (ta < 0) return;
  const tl_mtensor *x = &a->tensors[ta], *y = &b->tensors[tb];
  int same = x->type == y->type && x->ndim == y->ndim && (x->data != NULL) == (y->data != NULL) &&
             x->data_size == y->data_size && (x->dims_sig != NULL) == (y->dims_sig != NULL);
  for (int d = 0; same && d < x->ndim; d++) {
    same = x->dims[d] == y->dims[d];
    if (same && x->dims_sig) same = x->dims_sig[d] == y->dims_sig[d];
  }
  if (!same) {
    fprintf(stderr, "  op %d %s: tensor '%s' (type %d, %d dims, %zu const bytes) vs TF's '%s' (type %d, %d dims, %zu)\n",
            op, what, x->name, (int)x->type, (int)x->ndim, x->data_size, y->name, (int)y->type, (int)y->ndim,
            y->data_size);
    tl_test_failed_now = 1;
  }
}

static int first_conv(const tl_msubgraph *g) {
  for (int i = 0; i < g->n_ops; i++)
    if (g->ops[i].builtin == TL_BUILTIN_CONV_2D) return i;
  return -1;
}

/* Exports `net` (a --net description) and compares it with corpus file `tf_file`. */
static void compare_with_tf(const char *net, const char *tf_file) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  char err[512], ours_path[256], tf_path[4096];
  tl_train_config c;
  tl_train_config_default(&c);
  snprintf(c.net, sizeof c.net, "%s", net);
  tl_trainer *t = NULL;
  EXPECT_EQ(tl_trainer_new(&c, 1, &t, err, sizeof err), 0);
  if (!t) return;
  snprintf(ours_path, sizeof ours_path, "/tmp/tl_export_test_%ld.tflite", (long)getpid());
  EXPECT_EQ(tl_train_export_tflite(tl_trainer_net(t), ours_path, err, sizeof err), 0);
  tl_trainer_free(t);
  snprintf(tf_path, sizeof tf_path, "%s/models/%s", corpus, tf_file);
  tl_model *a = NULL, *b = NULL;
  EXPECT_EQ(tl_model_open(ours_path, &a, err, sizeof err), TL_OK);
  EXPECT_EQ(tl_model_open(tf_path, &b, err, sizeof err), TL_OK);
  unlink(ours_path);
  if (!a || !b) goto done;
  EXPECT_STR_CONTAINS(a->description, "tinylite " TL_VERSION_STRING);
  EXPECT_EQ(a->version, b->version);
  EXPECT_EQ(a->n_subgraphs, 1);
  EXPECT_EQ(a->n_subgraphs, b->n_subgraphs);
  /* TF's converter writes a serving_default signature since TF 2.7 (these files are older) */
  EXPECT_EQ(a->n_signatures, 1);
  EXPECT(a->n_signatures < 1 || !strcmp(a->signatures[0].key, "serving_default"));
  for (int i = 0; i < a->n_signatures && i < b->n_signatures; i++) EXPECT(!strcmp(a->signatures[i].key, b->signatures[i].key));
  EXPECT_EQ(a->n_metadata, b->n_metadata);
  for (int i = 0; i < a->n_metadata && i < b->n_metadata; i++) EXPECT(!strcmp(a->metadata[i].name, b->metadata[i].name));
  const tl_msubgraph *ga = &a->subgraphs[0], *gb = &b->subgraphs[0];
  const int ca = first_conv(ga), cb = first_conv(gb);
  EXPECT(ca >= 0 && cb >= 0);
  if (ca < 0 || cb < 0) goto done;
  /* before it: the tutorial's input, [-1,28,28] float32, and one RESHAPE to [-1,28,28,1] */
  EXPECT_EQ(ca, 1);
  EXPECT_EQ(ga->ops[0].builtin, TL_BUILTIN_RESHAPE);
  const tl_mtensor *in = &ga->tensors[ga->in[0]];
  EXPECT(in->type == TL_FLOAT32 && in->ndim == 3 && in->dims_sig && in->dims_sig[0] == -1);
  EXPECT_EQ(ga->n_ops - ca, gb->n_ops - cb);
  EXPECT_EQ(ga->n_out, gb->n_out);
  for (int i = 0; ca + i < ga->n_ops && cb + i < gb->n_ops; i++) {
    const tl_mop *x = &ga->ops[ca + i], *y = &gb->ops[cb + i];
    if (x->builtin != y->builtin || x->version != y->version || x->n_in != y->n_in || x->n_out != y->n_out ||
        x->options_type != y->options_type) {
      fprintf(stderr, "  op %d: %s v%d (%d in, %d out, options %d) vs TF's %s v%d (%d in, %d out, options %d)\n", ca + i,
              tl_op_name(x->builtin), (int)x->version, (int)x->n_in, (int)x->n_out, (int)x->options_type,
              tl_op_name(y->builtin), (int)y->version, (int)y->n_in, (int)y->n_out, (int)y->options_type);
      tl_test_failed_now = 1;
      continue;
    }
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
      if (specs[s].builtin != x->builtin) continue;
      for (int f = 0; f < specs[s].n; f++) {
        long u = opt_field(x, specs[s].id[f], specs[s].width[f]), v = opt_field(y, specs[s].id[f], specs[s].width[f]);
        if (u != v) {
          fprintf(stderr, "  op %d %s: option field %d is %ld, TF's %ld\n", ca + i, tl_op_name(x->builtin), specs[s].id[f], u, v);
          tl_test_failed_now = 1;
        }
      }
    }
    for (int k = 0; k < x->n_in; k++) same_tensor(ga, x->in[k], gb, y->in[k], "input", ca + i);
    for (int k = 0; k < x->n_out; k++) same_tensor(ga, x->out[k], gb, y->out[k], "output", ca + i);
  }
  printf("  %s: %d ops from the first CONV_2D, as in TensorFlow's %s\n", net, ga->n_ops - ca, tf_file);
done:
  tl_model_close(a);
  tl_model_close(b);
}

/* The Keras tutorial's network: TF's file of it takes uint8 pixels (CAST, EXPAND_DIMS first). */
TEST(tutorial_net_as_tensorflow_writes_it) {
  compare_with_tf("tutorial", "mnist-cnn-float-u8in-alankrantas.tflite");
}

/* Two conv/pool stages, as in the corpus' edgeaiwithrtt CNN (TF's file takes a [-1,28,28,1] input). */
TEST(two_stage_cnn_as_tensorflow_writes_it) {
  compare_with_tf("conv:4:3:relu,maxpool:2,conv:8:3:relu,maxpool:2,flatten,dense:10",
                  "mnist-cnn-float-edgeaiwithrtt.tflite");
}

TEST_MAIN(T(tutorial_net_as_tensorflow_writes_it), T(two_stage_cnn_as_tensorflow_writes_it))
