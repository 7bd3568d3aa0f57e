/* SPDX-License-Identifier: Apache-2.0
 * The FlexBuffers reader and scalar-map writer (src/format/flexbuf.h): round trips at every width,
 * flexbuffers.h's conversion rules on hand-assembled blobs, its binary search over unsorted keys, the
 * corpus SSD model's real custom_options, and hostile blobs (errors, truncations, every byte mutated,
 * random bytes) that must never read out of bounds (run under ASan+UBSan). */
#include <stdint.h>

#include "format/flexbuf.h"
#include "format/model.h"
#include "test.h"
#include "tinylite.h"

#define CORPUS_VAR "TL_CORPUS_DIR"
#define CORPUS_DEF "../shared/tflite-corpus"

/* ---- a hand assembler for blobs the writer cannot make ---- */
typedef struct {
  uint8_t b[1024];
  size_t n;
} blob;

static size_t emit(blob *a, uint64_t v, int w) {
  size_t p = a->n;
  for (int k = 0; k < w; k++) a->b[a->n++] = (uint8_t)(v >> (8 * k));
  return p;
}

static size_t emit_str(blob *a, const char *s) {
  size_t p = a->n, len = strlen(s) + 1;
  memcpy(a->b + a->n, s, len);
  a->n += len;
  return p;
}

static void pad(blob *a, int w) {
  while (a->n % (size_t)w) a->b[a->n++] = 0;
}

static int wcode(int w) { return w == 1 ? 0 : w == 2 ? 1 : w == 4 ? 2 : 3; }

static uint64_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static uint64_t f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}

/* One map value: inline bits, or an offset to `target` (off = 1); packed = type << 2 | width code. */
typedef struct {
  const char *key;
  uint8_t packed;
  uint64_t bits;
  int off;
  size_t target;
} hv;

/* Keys (in the order given: unsorted on purpose in some tests), keys vector of width kw, then the
 * map (slots of width w) and the root. */
static void emit_map(blob *a, int w, int kw, const hv *v, int n) {
  size_t kp[32];
  for (int i = 0; i < n; i++) kp[i] = emit_str(a, v[i].key);
  pad(a, kw);
  emit(a, (uint64_t)n, kw);
  size_t keys = a->n;
  for (int i = 0; i < n; i++) emit(a, a->n - kp[i], kw);
  pad(a, w);
  size_t hdr = a->n;
  emit(a, hdr - keys, w);
  emit(a, (uint64_t)kw, w);
  emit(a, (uint64_t)n, w);
  size_t vals = a->n;
  for (int i = 0; i < n; i++) emit(a, v[i].off ? a->n - v[i].target : v[i].bits, w);
  for (int i = 0; i < n; i++) emit(a, v[i].packed, 1);
  pad(a, w);
  emit(a, a->n - vals, w);
  emit(a, (uint64_t)(TL_FLEX_MAP << 2 | wcode(w)), 1);
  emit(a, (uint64_t)w, 1);
}

static tl_flex_ref get(tl_flex *fx, const tl_flex_ref *m, const char *key) {
  tl_flex_ref v;
  int r = tl_flex_map_get(fx, m, key, &v);
  if (r != 1) {
    fprintf(stderr, "  key '%s': map_get returned %d (%s)\n", key, r, fx->err ? fx->err : "absent");
    tl_test_failed_now = 1;
  }
  return v;
}

static int64_t as_i64(tl_flex *fx, tl_flex_ref v) {
  int64_t x = 0;
  EXPECT_EQ(tl_flex_int64(fx, &v, &x), 0);
  return x;
}

static uint64_t as_u64(tl_flex *fx, tl_flex_ref v) {
  uint64_t x = 0;
  EXPECT_EQ(tl_flex_uint64(fx, &v, &x), 0);
  return x;
}

static double as_f64(tl_flex *fx, tl_flex_ref v) {
  double x = 0;
  EXPECT_EQ(tl_flex_double(fx, &v, &x), 0);
  return x;
}

static int as_bool(tl_flex *fx, tl_flex_ref v) {
  int x = -1;
  EXPECT_EQ(tl_flex_bool(fx, &v, &x), 0);
  return x;
}

/* ---- tests ---- */

TEST(writer_round_trip_every_width) {
  for (int w = 1; w <= 8; w *= 2) {
    tl_flex_entry e[6] = {
        {"zeta", TL_FLEX_INT, -5, 0, 0},    {"alpha", TL_FLEX_UINT, 0, 200, 0}, {"mid", TL_FLEX_BOOL, 1, 0, 0},
        {"nothing", TL_FLEX_NULL, 0, 0, 0}, {"f", TL_FLEX_FLOAT, 0, 0, 0.1},    {"_x", TL_FLEX_INT, 0, 0, 0},
    };
    int n = w >= 4 ? 6 : 4; /* floats need 4 or 8 bytes */
    if (w < 4) e[4] = e[5];
    uint8_t buf[256];
    size_t len = tl_flex_write_map(e, n, w, buf, sizeof buf);
    EXPECT(len > 0 && len <= sizeof buf);
    EXPECT_EQ(tl_flex_write_map(e, n, w, NULL, 0), len); /* measuring pass */
    tl_flex fx;
    tl_flex_ref m, v;
    EXPECT_EQ(tl_flex_root(&fx, buf, len, &m), 0);
    EXPECT_EQ(m.type, TL_FLEX_MAP);
    EXPECT_EQ(as_i64(&fx, get(&fx, &m, "zeta")), -5);
    EXPECT_EQ(as_u64(&fx, get(&fx, &m, "alpha")), 200);
    EXPECT_EQ(as_bool(&fx, get(&fx, &m, "mid")), 1);
    EXPECT_EQ(get(&fx, &m, "nothing").type, TL_FLEX_NULL);
    EXPECT_EQ(tl_flex_map_get(&fx, &m, "absent", &v), 0);
    EXPECT_EQ(v.type, TL_FLEX_NULL);
    EXPECT_EQ(as_i64(&fx, v), 0);
    if (w >= 4) {
      float f;
      v = get(&fx, &m, "f");
      EXPECT_EQ(tl_flex_float(&fx, &v, &f), 0);
      EXPECT(f == 0.1f);
      EXPECT(as_f64(&fx, v) == (w == 8 ? 0.1 : (double)0.1f));
      EXPECT_EQ(as_i64(&fx, get(&fx, &m, "_x")), 0);
    }
    /* keys come out sorted */
    uint64_t count;
    EXPECT_EQ(tl_flex_size(&fx, &m, &count), 0);
    EXPECT_EQ(count, (uint64_t)n);
    const char *prev = NULL, *k;
    for (uint64_t i = 0; i < count; i++) {
      EXPECT_EQ(tl_flex_map_key(&fx, &m, i, &k), 0);
      EXPECT(k != NULL);
      if (prev && k) EXPECT(strcmp(prev, k) < 0);
      prev = k;
    }
    EXPECT(fx.err == NULL);
  }
}

TEST(writer_refuses_what_it_cannot_write) {
  uint8_t buf[256];
  tl_flex_entry big = {"k", TL_FLEX_INT, 300, 0, 0}, fl = {"k", TL_FLEX_FLOAT, 0, 0, 1.0};
  EXPECT_EQ(tl_flex_write_map(&big, 1, 1, buf, sizeof buf), 0); /* 300 does not fit a byte */
  EXPECT(tl_flex_write_map(&big, 1, 2, buf, sizeof buf) > 0);
  EXPECT_EQ(tl_flex_write_map(&fl, 1, 2, buf, sizeof buf), 0); /* no 16-bit floats */
  EXPECT_EQ(tl_flex_write_map(&fl, 1, 3, buf, sizeof buf), 0);
  tl_flex_entry dup[2] = {{"a", TL_FLEX_INT, 1, 0, 0}, {"a", TL_FLEX_INT, 2, 0, 0}};
  EXPECT_EQ(tl_flex_write_map(dup, 2, 4, buf, sizeof buf), 0);
  /* a width-1 map whose offsets would pass 255 */
  char keys[40][8];
  tl_flex_entry many[40];
  for (int i = 0; i < 40; i++) {
    snprintf(keys[i], sizeof keys[i], "key%02d", i);
    many[i] = (tl_flex_entry){keys[i], TL_FLEX_INT, i, 0, 0};
  }
  EXPECT_EQ(tl_flex_write_map(many, 40, 1, buf, sizeof buf), 0);
  EXPECT(tl_flex_write_map(many, 40, 2, buf, sizeof buf) > 0);
}

/* Every conversion rule of flexbuffers.h's Reference, on values of every storage kind. */
TEST(conversions_follow_flexbuffers) {
  blob a = {{0}, 0};
  pad(&a, 8);
  size_t t_ii = emit(&a, (uint64_t)-7, 8);
  size_t t_if = emit(&a, f64_bits(2.75), 8);
  emit(&a, 2, 1);
  size_t t_s42 = emit_str(&a, "42");
  emit(&a, 2, 1);
  size_t t_s4x = emit_str(&a, "4x");
  emit(&a, 3, 1);
  size_t t_s25 = emit_str(&a, "2.5");
  emit(&a, 3, 1); /* untyped vector [1, -2, 3] of width 1 */
  size_t t_vec = emit(&a, 1, 1);
  emit(&a, (uint64_t)-2, 1);
  emit(&a, 3, 1);
  for (int i = 0; i < 3; i++) emit(&a, TL_FLEX_INT << 2, 1);
  pad(&a, 2);
  emit(&a, 2, 2); /* typed int vector [-3, 300] of width 2 */
  size_t t_tv = emit(&a, (uint64_t)-3, 2);
  emit(&a, 300, 2);
  pad(&a, 4);
  size_t t_fv = emit(&a, f32_bits(0.5f), 4); /* fixed float[3] */
  emit(&a, f32_bits(-1.5f), 4);
  emit(&a, f32_bits(8.f), 4);
  emit(&a, 2, 1); /* bool vector [true, false] */
  size_t t_vb = emit(&a, 1, 1);
  emit(&a, 0, 1);
  size_t t_key = emit_str(&a, "keyval");
  const hv v[] = {
      {"a_ind_int", TL_FLEX_INDIRECT_INT << 2 | 3, 0, 1, t_ii},
      {"b_ind_float", TL_FLEX_INDIRECT_FLOAT << 2 | 3, 0, 1, t_if},
      {"c_str42", TL_FLEX_STRING << 2, 0, 1, t_s42},
      {"d_str4x", TL_FLEX_STRING << 2, 0, 1, t_s4x},
      {"e_str25", TL_FLEX_STRING << 2, 0, 1, t_s25},
      {"f_vec", TL_FLEX_VECTOR << 2, 0, 1, t_vec},
      {"g_tvec", TL_FLEX_VECTOR_INT << 2 | 1, 0, 1, t_tv},
      {"h_fixed3", (TL_FLEX_VECTOR_INT2 + 5) << 2 | 2, 0, 1, t_fv},
      {"i_vbool", TL_FLEX_VECTOR_BOOL << 2, 0, 1, t_vb},
      {"j_float8", TL_FLEX_FLOAT << 2, 0xFE, 0, 0}, /* a 1-byte FLOAT slot is read as int8: -2 */
      {"k_uint", TL_FLEX_UINT << 2, 0xFF, 0, 0},
      {"l_int", TL_FLEX_INT << 2, 0xFF, 0, 0},
      {"m_bool", TL_FLEX_BOOL << 2, 1, 0, 0},
      {"n_null", TL_FLEX_NULL << 2, 0, 0, 0},
      {"o_key", TL_FLEX_KEY << 2, 0, 1, t_key},
      {"p_type63", 63 << 2, 5, 0, 0},
  };
  emit_map(&a, 1, 1, v, (int)(sizeof v / sizeof v[0]));
  tl_flex fx;
  tl_flex_ref m, r, e;
  EXPECT_EQ(tl_flex_root(&fx, a.b, a.n, &m), 0);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "a_ind_int")), -7);
  EXPECT_EQ(as_u64(&fx, get(&fx, &m, "a_ind_int")), (uint64_t)-7);
  EXPECT(as_f64(&fx, get(&fx, &m, "b_ind_float")) == 2.75);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "b_ind_float")), 2); /* truncation */
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "c_str42")), 42);
  EXPECT_EQ(as_u64(&fx, get(&fx, &m, "c_str42")), 42);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "d_str4x")), 0); /* not all digits */
  EXPECT(as_f64(&fx, get(&fx, &m, "e_str25")) == 2.5);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "e_str25")), 0);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "f_vec")), 3); /* vectors give their size */
  EXPECT(as_f64(&fx, get(&fx, &m, "f_vec")) == 3.0);
  r = get(&fx, &m, "f_vec");
  EXPECT_EQ(tl_flex_at(&fx, &r, 1, &e), 0);
  EXPECT_EQ(as_i64(&fx, e), -2);
  EXPECT_EQ(tl_flex_at(&fx, &r, 3, &e), 0);
  EXPECT_EQ(e.type, TL_FLEX_NULL);
  r = get(&fx, &m, "g_tvec");
  EXPECT_EQ(as_i64(&fx, r), 0); /* typed vectors are not FBT_VECTOR: 0 */
  EXPECT_EQ(tl_flex_at(&fx, &r, 0, &e), 0);
  EXPECT_EQ(as_i64(&fx, e), -3);
  EXPECT_EQ(tl_flex_at(&fx, &r, 1, &e), 0);
  EXPECT_EQ(as_i64(&fx, e), 300);
  r = get(&fx, &m, "h_fixed3");
  uint64_t n;
  EXPECT_EQ(tl_flex_size(&fx, &r, &n), 0);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(tl_flex_at(&fx, &r, 1, &e), 0);
  EXPECT(as_f64(&fx, e) == -1.5);
  EXPECT_EQ(tl_flex_at(&fx, &r, 3, &e), 0);
  EXPECT_EQ(e.type, TL_FLEX_NULL);
  r = get(&fx, &m, "i_vbool");
  EXPECT_EQ(tl_flex_at(&fx, &r, 0, &e), 0);
  EXPECT_EQ(e.type, TL_FLEX_BOOL);
  EXPECT_EQ(as_bool(&fx, e), 1);
  EXPECT(as_f64(&fx, get(&fx, &m, "j_float8")) == -2.0);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "k_uint")), 255);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "l_int")), -1);
  EXPECT_EQ(as_u64(&fx, get(&fx, &m, "l_int")), UINT64_MAX);
  EXPECT_EQ(as_bool(&fx, get(&fx, &m, "l_int")), 1);
  EXPECT_EQ(as_bool(&fx, get(&fx, &m, "m_bool")), 1);
  EXPECT(as_f64(&fx, get(&fx, &m, "m_bool")) == 1.0);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "n_null")), 0);
  r = get(&fx, &m, "o_key");
  const char *s;
  size_t len;
  EXPECT_EQ(tl_flex_string(&fx, &r, &s, &len), 0);
  EXPECT(!strcmp(s, "keyval") && len == 6);
  EXPECT_EQ(as_i64(&fx, r), 0); /* keys do not convert */
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "p_type63")), 0);
  EXPECT(fx.err == NULL);
}

TEST(float_to_integer_edges) {
  /* a FLOAT slot of 8 bytes: -2.7, 0.5, NaN, 1e39 (inf as a float), 2^63 + 2^11 */
  const double vals[] = {-2.7, 0.5, NAN, 1e39, 9223372036854777856.0};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    blob a = {{0}, 0};
    hv v = {"v", TL_FLEX_FLOAT << 2 | 3, f64_bits(vals[i]), 0, 0};
    emit_map(&a, 8, 8, &v, 1);
    tl_flex fx;
    tl_flex_ref m, r;
    EXPECT_EQ(tl_flex_root(&fx, a.b, a.n, &m), 0);
    r = get(&fx, &m, "v");
    int64_t x = as_i64(&fx, r);
    uint64_t u = as_u64(&fx, r);
    int32_t x32;
    float f;
    EXPECT_EQ(tl_flex_int32(&fx, &r, &x32), 0);
    EXPECT_EQ(tl_flex_float(&fx, &r, &f), 0);
    switch (i) {
      case 0: EXPECT_EQ(x, -2); EXPECT_EQ(u, (uint64_t)-2); EXPECT_EQ(x32, -2); break;
      case 1: EXPECT_EQ(x, 0); EXPECT_EQ(as_bool(&fx, r), 0); break; /* AsBool of 0.5 is false */
      case 2: EXPECT_EQ(x, INT64_MIN); EXPECT(f != f); break;     /* what x86-64's cvttsd2si gives */
      case 3: EXPECT_EQ(x, INT64_MIN); EXPECT(isinf(f)); break;
      case 4: EXPECT_EQ(x, INT64_MIN); EXPECT_EQ(u, 9223372036854777856ull); break;
    }
  }
  /* AsInt32 keeps the low 32 bits of AsInt64 */
  blob a = {{0}, 0};
  hv v = {"v", TL_FLEX_INT << 2 | 3, 0x100000005ull, 0, 0};
  emit_map(&a, 8, 8, &v, 1);
  tl_flex fx;
  tl_flex_ref m, r;
  int32_t x32 = 0;
  EXPECT_EQ(tl_flex_root(&fx, a.b, a.n, &m), 0);
  r = get(&fx, &m, "v");
  EXPECT_EQ(tl_flex_int32(&fx, &r, &x32), 0);
  EXPECT_EQ(x32, 5);
}

/* flexbuffers looks keys up with bsearch: with unsorted keys some present keys are not found, and
 * TFLite then reads them as absent. The probe order must be glibc's. */
TEST(unsorted_keys_follow_bsearch) {
  blob a = {{0}, 0};
  const hv v[] = {{"b", TL_FLEX_INT << 2, 1, 0, 0}, {"a", TL_FLEX_INT << 2, 2, 0, 0}, {"c", TL_FLEX_INT << 2, 3, 0, 0}};
  emit_map(&a, 2, 2, v, 3);
  tl_flex fx;
  tl_flex_ref m, r;
  EXPECT_EQ(tl_flex_root(&fx, a.b, a.n, &m), 0);
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "a", &r), 1); /* the middle probe */
  EXPECT_EQ(as_i64(&fx, r), 2);
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "b", &r), 0); /* "b" > "a" sends the search right, past it */
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "c", &r), 1);
  EXPECT_EQ(as_i64(&fx, r), 3);
  /* a key found whose value slot is past the values' count reads as NULL */
  blob b2 = {{0}, 0};
  emit_map(&b2, 1, 1, v, 3);
  size_t count_at = b2.n - 2 - 1 - 3 - 3 - 1; /* root(1)+type+width, 3 types, 3 slots, count */
  EXPECT_EQ(b2.b[count_at], 3);
  b2.b[count_at] = 1; /* the values vector now claims 1 element, the keys still 3 */
  EXPECT_EQ(tl_flex_root(&fx, b2.b, b2.n, &m), 0);
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "c", &r), 1);
  EXPECT_EQ(r.type, TL_FLEX_NULL);
  EXPECT(fx.err == NULL);
}

/* The corpus SSD model's custom_options, as TOCO wrote them (width 4, floats as float32). */
TEST(corpus_detection_options) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  char path[4096], err[256];
  snprintf(path, sizeof path, "%s/models/detect-uint8-mpromonet.tflite", corpus);
  tl_model *mdl;
  if (tl_model_open(path, &mdl, err, sizeof err)) {
    fprintf(stderr, "  %s: %s\n", path, err);
    tl_test_failed_now = 1;
    return;
  }
  const tl_msubgraph *g = &mdl->subgraphs[0];
  const tl_mop *op = &g->ops[g->n_ops - 1];
  EXPECT_EQ(op->builtin, 32);
  tl_flex fx;
  tl_flex_ref m, r;
  EXPECT_EQ(tl_flex_root(&fx, op->custom, op->custom_size, &m), 0);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "max_detections")), 10);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "max_classes_per_detection")), 1);
  EXPECT_EQ(as_i64(&fx, get(&fx, &m, "num_classes")), 90);
  EXPECT(as_f64(&fx, get(&fx, &m, "nms_iou_threshold")) == (double)0.6f);
  EXPECT(as_f64(&fx, get(&fx, &m, "nms_score_threshold")) == (double)1e-8f);
  EXPECT(as_f64(&fx, get(&fx, &m, "y_scale")) == 10.0 && as_f64(&fx, get(&fx, &m, "x_scale")) == 10.0);
  EXPECT(as_f64(&fx, get(&fx, &m, "h_scale")) == 5.0 && as_f64(&fx, get(&fx, &m, "w_scale")) == 5.0);
  EXPECT_EQ(as_bool(&fx, get(&fx, &m, "_output_quantized")), 1);
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "detections_per_class", &r), 0);
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "use_regular_nms", &r), 0);
  EXPECT(fx.err == NULL);
  tl_model_close(mdl);
}

TEST(malformed_blobs_give_errors) {
  tl_flex fx;
  tl_flex_ref m, r;
  uint8_t one = 1;
  EXPECT_EQ(tl_flex_root(&fx, NULL, 0, &m), -1);
  EXPECT_STR_CONTAINS(fx.err, "shorter");
  EXPECT_EQ(tl_flex_root(&fx, &one, 1, &m), -1);
  uint8_t w3[4] = {0, 0, TL_FLEX_MAP << 2, 3};
  EXPECT_EQ(tl_flex_root(&fx, w3, 4, &m), -1);
  EXPECT_STR_CONTAINS(fx.err, "root width");
  uint8_t big[3] = {0, TL_FLEX_MAP << 2, 4}; /* a 4-byte root in a 3-byte blob */
  EXPECT_EQ(tl_flex_root(&fx, big, 3, &m), -1);
  /* the root's offset points before the blob */
  uint8_t back[3] = {9, TL_FLEX_MAP << 2, 1};
  EXPECT_EQ(tl_flex_root(&fx, back, 3, &m), 0);
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "k", &r), -1);
  EXPECT_STR_CONTAINS(fx.err, "before the start");
  /* sticky: a later call fails without reading */
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "k", &r), -1);
  /* a key width of 3 */
  blob a = {{0}, 0};
  hv v = {"k", TL_FLEX_INT << 2, 1, 0, 0};
  emit_map(&a, 1, 1, &v, 1);
  size_t kw_at = a.n - 3 - 1 - 1 - 1 - 1; /* root, type, width; 1 type byte, 1 slot; count; keys width */
  EXPECT_EQ(a.b[kw_at], 1);
  a.b[kw_at] = 3;
  EXPECT_EQ(tl_flex_root(&fx, a.b, a.n, &m), 0);
  EXPECT_EQ(tl_flex_map_get(&fx, &m, "k", &r), -1);
  EXPECT_STR_CONTAINS(fx.err, "key width");
  /* a string without its NUL */
  uint8_t s[6] = {2, 'h', 'i', 2, TL_FLEX_STRING << 2, 1};
  EXPECT_EQ(tl_flex_root(&fx, s, 6, &r), 0);
  int64_t x;
  EXPECT_EQ(tl_flex_int64(&fx, &r, &x), -1);
  EXPECT_STR_CONTAINS(fx.err, "string");
  /* a vector claiming more elements than the blob has bytes */
  uint8_t vec[5] = {200, 0, 1, TL_FLEX_VECTOR << 2, 1};
  EXPECT_EQ(tl_flex_root(&fx, vec, 5, &r), 0);
  EXPECT_EQ(tl_flex_at(&fx, &r, 0, &m), -1);
  EXPECT_STR_CONTAINS(fx.err, "larger than the blob");
}

/* ---- fuzzing ---- */

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint32_t rnd(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static long g_ok, g_err;

static void count(tl_flex *fx, int r) {
  if (r < 0 && !fx->err) {
    fprintf(stderr, "  a call failed without a message\n");
    tl_test_failed_now = 1;
  }
  if (r < 0) g_err++;
  else g_ok++;
  fx->err = NULL; /* keep exploring the rest of the blob */
}

/* Reads everything reachable from r (bounded depth and fan-out), with every accessor. */
static void walk(tl_flex *fx, const tl_flex_ref *r, int depth) {
  int64_t i64;
  uint64_t u64, n = 0;
  double d;
  int b;
  int32_t i32;
  float f;
  const char *s, *k;
  size_t len;
  tl_flex_ref e;
  count(fx, tl_flex_int64(fx, r, &i64));
  count(fx, tl_flex_uint64(fx, r, &u64));
  count(fx, tl_flex_double(fx, r, &d));
  count(fx, tl_flex_bool(fx, r, &b));
  count(fx, tl_flex_int32(fx, r, &i32));
  count(fx, tl_flex_float(fx, r, &f));
  count(fx, tl_flex_string(fx, r, &s, &len));
  if (s && len) EXPECT(strlen(s) == len); /* what we return is a real C string */
  count(fx, tl_flex_size(fx, r, &n));
  if (depth >= 3) return;
  for (uint64_t i = 0; i < n && i < 12; i++) {
    int rr = tl_flex_at(fx, r, i, &e);
    count(fx, rr);
    if (rr == 0) walk(fx, &e, depth + 1);
    rr = tl_flex_map_key(fx, r, i, &k);
    count(fx, rr);
    if (rr == 0 && k) {
      rr = tl_flex_map_get(fx, r, k, &e);
      count(fx, rr);
      if (rr == 1) walk(fx, &e, depth + 1);
    }
  }
  static const char *keys[] = {"max_detections", "num_classes", "y_scale", "", "zzzz"};
  for (int i = 0; i < 5; i++) {
    int rr = tl_flex_map_get(fx, r, keys[i], &e);
    count(fx, rr);
    if (rr == 1) walk(fx, &e, depth + 1);
  }
}

/* Reads a private, exactly sized copy so ASan sees any read past either end. */
static void fuzz_one(const uint8_t *bytes, size_t n) {
  uint8_t *copy = malloc(n ? n : 1);
  if (n) memcpy(copy, bytes, n);
  tl_flex fx;
  tl_flex_ref root;
  int r = tl_flex_root(&fx, n ? copy : NULL, n, &root);
  count(&fx, r);
  if (r == 0) walk(&fx, &root, 0);
  free(copy);
}

static size_t detection_like_blob(uint8_t *out, size_t cap, int width) {
  tl_flex_entry e[] = {
      {"max_detections", TL_FLEX_INT, 10, 0, 0},        {"max_classes_per_detection", TL_FLEX_INT, 1, 0, 0},
      {"nms_score_threshold", TL_FLEX_FLOAT, 0, 0, 1e-8}, {"nms_iou_threshold", TL_FLEX_FLOAT, 0, 0, 0.6},
      {"num_classes", TL_FLEX_INT, 90, 0, 0},           {"y_scale", TL_FLEX_FLOAT, 0, 0, 10.0},
      {"use_regular_nms", TL_FLEX_BOOL, 1, 0, 0},       {"detections_per_class", TL_FLEX_UINT, 0, 100, 0},
  };
  int n = width >= 4 ? 8 : 2;
  tl_flex_entry ints[2] = {e[0], e[4]};
  return tl_flex_write_map(width >= 4 ? e : ints, n, width, out, cap);
}

TEST(fuzz_truncated_and_mutated) {
  g_ok = g_err = 0;
  uint8_t seeds[6][1024];
  size_t seed_len[6];
  for (int w = 1, i = 0; w <= 8; w *= 2, i++) seed_len[i] = detection_like_blob(seeds[i], sizeof seeds[i], w);
  blob a = {{0}, 0};
  pad(&a, 8);
  size_t t_if = emit(&a, f64_bits(2.75), 8);
  emit(&a, 3, 1);
  size_t t_vec = emit(&a, 1, 1);
  emit(&a, 2, 1);
  emit(&a, 3, 1);
  for (int i = 0; i < 3; i++) emit(&a, TL_FLEX_INT << 2, 1);
  emit(&a, 2, 1);
  size_t t_s = emit_str(&a, "42");
  const hv v[] = {{"a", TL_FLEX_INDIRECT_FLOAT << 2 | 3, 0, 1, t_if},
                  {"b", TL_FLEX_VECTOR << 2, 0, 1, t_vec},
                  {"c", TL_FLEX_STRING << 2, 0, 1, t_s},
                  {"d", TL_FLEX_MAP << 2, 0, 0, 0}};
  emit_map(&a, 1, 1, v, 4);
  memcpy(seeds[4], a.b, a.n);
  seed_len[4] = a.n;
  const char *corpus = tl_test_shared_path(CORPUS_VAR, CORPUS_DEF); /* the real blob joins when present */
  char path[4096], err[256];
  snprintf(path, sizeof path, "%s/models/detect-uint8-mpromonet.tflite", corpus ? corpus : ".");
  tl_model *mdl = NULL;
  int nseeds = 5;
  if (corpus && !tl_model_open(path, &mdl, err, sizeof err)) {
    const tl_mop *op = &mdl->subgraphs[0].ops[mdl->subgraphs[0].n_ops - 1];
    memcpy(seeds[5], op->custom, op->custom_size);
    seed_len[5] = op->custom_size;
    nseeds = 6;
    tl_model_close(mdl);
  }
  static const uint8_t vals[] = {0, 1, 2, 3, 4, 7, 8, 0x10, 0x24, 0x27, 0x2c, 0x7f, 0x80, 0xfe, 0xff};
  for (int s = 0; s < nseeds; s++) {
    const uint8_t *b = seeds[s];
    size_t n = seed_len[s];
    for (size_t k = 0; k <= n; k++) fuzz_one(b, k);         /* prefixes */
    for (size_t k = 0; k <= n; k++) fuzz_one(b + k, n - k); /* suffixes: the root survives */
    uint8_t m[1024];
    for (size_t pos = 0; pos < n; pos++)
      for (size_t j = 0; j < sizeof vals; j++) {
        memcpy(m, b, n);
        m[pos] = vals[j];
        fuzz_one(m, n);
      }
    for (int it = 0; it < 3000; it++) { /* a few random bytes changed at once */
      memcpy(m, b, n);
      int flips = 1 + (int)(rnd() % 4);
      for (int f = 0; f < flips; f++) m[rnd() % n] = (uint8_t)rnd();
      fuzz_one(m, n);
    }
  }
  for (int it = 0; it < 20000; it++) { /* random blobs */
    uint8_t r[64];
    size_t n = rnd() % sizeof r;
    for (size_t k = 0; k < n; k++) r[k] = (uint8_t)rnd();
    if (n >= 2 && rnd() % 2) r[n - 1] = (uint8_t)(1u << (rnd() % 4)), r[n - 2] = (uint8_t)(rnd() % 40 << 2 | rnd() % 4);
    fuzz_one(r, n);
  }
  fprintf(stderr, "  %ld calls succeeded, %ld refused\n", g_ok, g_err);
  EXPECT(g_ok > 1000 && g_err > 1000);
}

TEST_MAIN(T(writer_round_trip_every_width), T(writer_refuses_what_it_cannot_write), T(conversions_follow_flexbuffers),
          T(float_to_integer_edges), T(unsorted_keys_follow_bsearch), T(corpus_detection_options),
          T(malformed_blobs_give_errors), T(fuzz_truncated_and_mutated))
