/* SPDX-License-Identifier: Apache-2.0
 * Reads a .tflite FlatBuffer into tl_model, verifying as it goes: every offset and length through the
 * bounds-checked accessors, then the semantic checks TFLite's own verifier leaves to later stages
 * (tensor indices, -1 outputs, aliasing, reads of never-written tensors, shapes, sizes, quantization,
 * subgraph cycles). A model that passes needs no further bounds checks to be walked. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "schema.h"
#include "model.h"

/* Field ids (declaration order in schema.fbs). */
enum { MODEL_VERSION, MODEL_OPCODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS, MODEL_METADATA_BUFFER,
       MODEL_METADATA, MODEL_SIGNATURES };
enum { OPCODE_DEPRECATED, OPCODE_CUSTOM, OPCODE_VERSION, OPCODE_BUILTIN };
enum { SG_TENSORS, SG_INPUTS, SG_OUTPUTS, SG_OPERATORS, SG_NAME };
enum { TENSOR_SHAPE, TENSOR_TYPE, TENSOR_BUFFER, TENSOR_NAME, TENSOR_QUANT, TENSOR_IS_VARIABLE, TENSOR_SPARSITY,
       TENSOR_SHAPE_SIGNATURE };
enum { QUANT_MIN, QUANT_MAX, QUANT_SCALE, QUANT_ZERO_POINT, QUANT_DETAILS_TYPE, QUANT_DETAILS, QUANT_DIM };
enum { OP_OPCODE, OP_INPUTS, OP_OUTPUTS, OP_OPTIONS_TYPE, OP_OPTIONS, OP_CUSTOM, OP_CUSTOM_FORMAT, OP_MUTATING,
       OP_INTERMEDIATES, OP_LARGE_CUSTOM_OFFSET, OP_LARGE_CUSTOM_SIZE };
enum { BUFFER_DATA, BUFFER_OFFSET, BUFFER_SIZE };
enum { META_NAME, META_BUFFER };
enum { SIG_INPUTS, SIG_OUTPUTS, SIG_KEY, SIG_TAG, SIG_SUBGRAPH };
enum { TMAP_NAME, TMAP_TENSOR };

/* Largest tensor we accept: 2 GiB, like FlatBuffers' own size limit; bigger is an absurd size. */
#define MAX_TENSOR_BYTES ((int64_t)1 << 31)

typedef struct {
  tl_model *m;
  char *err;
  size_t errlen;
  tl_fb_table root;
} reader;

static tl_status fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static tl_status fail(reader *r, const char *fmt, ...) {
  if (r->err && r->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
  }
  return TL_ERR_MODEL;
}

static void *alloc_array(size_t n, size_t elem) {
  if (n == 0) n = 1;
  if (n > SIZE_MAX / elem) return NULL;
  return calloc(n, elem);
}
#define ALLOC(r, ptr, n)                                                             \
  do {                                                                               \
    (ptr) = alloc_array((size_t)(n), sizeof *(ptr));                                 \
    if (!(ptr)) {                                                                    \
      fail(r, "out of memory reading the model");                                    \
      return TL_ERR_NOMEM;                                                           \
    }                                                                                \
  } while (0)

/* Reads a vector field of tables; a missing field is an empty vector. */
static tl_status table_vector(reader *r, const tl_fb_table *t, int id, tl_fb_vec *v, const char *what) {
  if (tl_fb_vector(t, id, 4, v) < 0) return fail(r, "%s: vector out of bounds", what);
  return TL_OK;
}

/* Copies an int32 vector field (may be absent: *n = 0). */
static tl_status int_vector(reader *r, const tl_fb_table *t, int id, int32_t **out, int32_t *n, const char *what) {
  tl_fb_vec v;
  int s = tl_fb_vector(t, id, 4, &v);
  if (s < 0) return fail(r, "%s: vector out of bounds", what);
  *n = s ? (int32_t)v.n : 0;
  if (s && v.n > INT32_MAX / 4) return fail(r, "%s: absurd length %u", what, v.n);
  ALLOC(r, *out, *n);
  for (int32_t i = 0; i < *n; i++) (*out)[i] = tl_fb_vec_i32(&v, (uint32_t)i);
  return TL_OK;
}

static const char *str_field(reader *r, const tl_fb_table *t, int id, int *bad) {
  const char *s;
  if (tl_fb_string(t, id, &s, NULL) < 0) *bad = 1;
  (void)r;
  return s;
}

static tl_status read_opcodes(reader *r) {
  tl_model *m = r->m;
  tl_fb_vec v;
  tl_status st = table_vector(r, &r->root, MODEL_OPCODES, &v, "operator_codes");
  if (st) return st;
  m->n_opcodes = v.ok ? (int32_t)v.n : 0;
  ALLOC(r, m->opcodes, m->n_opcodes);
  for (int32_t i = 0; i < m->n_opcodes; i++) {
    tl_fb_table t;
    if (tl_fb_vec_table(&r->root, &v, (uint32_t)i, &t) != 1) return fail(r, "operator code %d: out of bounds", i);
    int32_t dep = tl_fb_i8(&t, OPCODE_DEPRECATED, 0), code = tl_fb_i32(&t, OPCODE_BUILTIN, 0);
    /* Files from before builtin_code existed only set the deprecated byte; newer ones put 127
     * (PLACEHOLDER_FOR_GREATER_OP_CODES) there. The larger value is the real code. */
    m->opcodes[i].builtin = dep > code ? dep : code;
    m->opcodes[i].version = tl_fb_i32(&t, OPCODE_VERSION, 1);
    int bad = 0;
    m->opcodes[i].custom = str_field(r, &t, OPCODE_CUSTOM, &bad);
    if (bad) return fail(r, "operator code %d: custom_code string out of bounds", i);
    if (m->opcodes[i].builtin < 0) return fail(r, "operator code %d: negative builtin code %d", i, m->opcodes[i].builtin);
  }
  return TL_OK;
}

static tl_status read_buffers(reader *r) {
  tl_model *m = r->m;
  tl_fb_vec v;
  tl_status st = table_vector(r, &r->root, MODEL_BUFFERS, &v, "buffers");
  if (st) return st;
  m->n_buffers = v.ok ? (int32_t)v.n : 0;
  ALLOC(r, m->buffers, m->n_buffers);
  for (int32_t i = 0; i < m->n_buffers; i++) {
    tl_fb_table t;
    if (tl_fb_vec_table(&r->root, &v, (uint32_t)i, &t) != 1) return fail(r, "buffer %d: out of bounds", i);
    tl_fb_vec d;
    int s = tl_fb_vector(&t, BUFFER_DATA, 1, &d);
    if (s < 0) return fail(r, "buffer %d: data out of bounds", i);
    if (s && d.n) {
      m->buffers[i].data = d.data;
      m->buffers[i].size = d.n;
    }
    /* Buffers stored after the FlatBuffer (models over 2 GB): offset is from the file start;
     * offset 1 marks "no data" in the converter's output. */
    uint64_t off = tl_fb_u64(&t, BUFFER_OFFSET, 0), size = tl_fb_u64(&t, BUFFER_SIZE, 0);
    if (off > 1) {
      if (off > m->size || size > m->size - off)
        return fail(r, "buffer %d: offset %llu size %llu outside the %zu-byte file", i, (unsigned long long)off,
                    (unsigned long long)size, m->size);
      m->buffers[i].data = size ? m->bytes + off : NULL;
      m->buffers[i].size = (size_t)size;
    }
  }
  return TL_OK;
}

static int type_zp_range(int type, int64_t *lo, int64_t *hi) {
  switch (type) {
    case TL_INT8: *lo = -128, *hi = 127; return 1;
    case TL_UINT8: *lo = 0, *hi = 255; return 1;
    case TL_INT16: *lo = -32768, *hi = 32767; return 1;
    case TL_INT4: *lo = -8, *hi = 7; return 1;
    default: return 0;
  }
}

static tl_status read_quant(reader *r, int sg, int ti, tl_mtensor *t, const tl_fb_table *q) {
  tl_fb_vec sc, zp;
  int s1 = tl_fb_vector(q, QUANT_SCALE, 4, &sc), s2 = tl_fb_vector(q, QUANT_ZERO_POINT, 8, &zp);
  if (s1 < 0 || s2 < 0) return fail(r, "subgraph %d tensor %d: quantization vectors out of bounds", sg, ti);
  if (s1 != 1 || sc.n == 0) return TL_OK; /* min/max only, or empty: not quantized */
  uint32_t n = sc.n;
  if (s2 == 1 && zp.n != n && zp.n != 0)
    return fail(r, "subgraph %d tensor %d '%s': %u scales but %u zero points", sg, ti, t->name, n, zp.n);
  int32_t axis = tl_fb_i32(q, QUANT_DIM, 0);
  /* Some converters copied a conv filter's quantized_dimension (3) onto its 1-D bias; TensorFlow Lite
   * refuses such files (person_detect), but the only axis a 1-D tensor has is unambiguous. */
  if (n > 1 && t->ndim == 1 && t->dims[0] == (int32_t)n && axis != 0) axis = 0;
  if (n > 1) {
    if (axis < 0 || axis >= t->ndim)
      return fail(r, "subgraph %d tensor %d '%s': quantized_dimension %d out of range for rank %d", sg, ti, t->name,
                  axis, t->ndim);
    if (t->dims[axis] != (int32_t)n)
      return fail(r, "subgraph %d tensor %d '%s': %u per-axis scales but dimension %d has size %d", sg, ti, t->name, n,
                  axis, t->dims[axis]);
  }
  t->q.n = (int32_t)n;
  t->q.axis = axis;
  ALLOC(r, t->q.scales, n);
  ALLOC(r, t->q.zero_points, n);
  int64_t lo = 0, hi = 0;
  int ranged = type_zp_range(t->type, &lo, &hi);
  for (uint32_t i = 0; i < n; i++) {
    float s = tl_fb_vec_f32(&sc, i);
    int64_t z = (s2 == 1 && zp.n) ? tl_fb_vec_i64(&zp, i) : 0;
    /* Integer tensors are computed from their scale, so it must be a positive finite number.
     * Float tensors may carry calibration leftovers; a scale there is informative only. */
    if (t->type != TL_FLOAT32 && t->type != TL_FLOAT16 && !(s > 0.f && isfinite(s)))
      return fail(r, "subgraph %d tensor %d '%s': quantization scale[%u] = %g (must be positive and finite)", sg, ti,
                  t->name, i, (double)s);
    if (ranged && (z < lo || z > hi))
      return fail(r, "subgraph %d tensor %d '%s': zero point %lld outside the %s range [%lld, %lld]", sg, ti, t->name,
                  (long long)z, tl_type_name(t->type), (long long)lo, (long long)hi);
    t->q.scales[i] = s;
    t->q.zero_points[i] = z;
  }
  return TL_OK;
}

static tl_status read_tensor(reader *r, int sg, int ti, const tl_fb_table *tt, tl_mtensor *t) {
  tl_model *m = r->m;
  int bad = 0;
  t->name = str_field(r, tt, TENSOR_NAME, &bad);
  if (bad) return fail(r, "subgraph %d tensor %d: name out of bounds", sg, ti);
  tl_status st = int_vector(r, tt, TENSOR_SHAPE, &t->dims, &t->ndim, "tensor shape");
  if (st) return st;
  if (t->ndim > TL_MAX_DIMS)
    return fail(r, "subgraph %d tensor %d '%s': rank %d exceeds the maximum %d", sg, ti, t->name, t->ndim, TL_MAX_DIMS);
  t->type = tl_fb_i8(tt, TENSOR_TYPE, 0);
  if (t->type < 0 || t->type > TL_INT4)
    return fail(r, "subgraph %d tensor %d '%s': unknown type %d", sg, ti, t->name, t->type);
  uint32_t buf = tl_fb_u32(tt, TENSOR_BUFFER, 0);
  if (buf >= (uint32_t)m->n_buffers && !(buf == 0 && m->n_buffers == 0))
    return fail(r, "subgraph %d tensor %d '%s': buffer index %u out of range (%d buffers)", sg, ti, t->name, buf,
                m->n_buffers);
  t->buffer = (int32_t)buf;
  t->is_variable = tl_fb_u8(tt, TENSOR_IS_VARIABLE, 0) != 0;
  int64_t count = 1;
  for (int i = 0; i < t->ndim; i++) {
    if (t->dims[i] < 0)
      return fail(r, "subgraph %d tensor %d '%s': negative dimension %d", sg, ti, t->name, t->dims[i]);
    count *= t->dims[i];
    if (count > MAX_TENSOR_BYTES) return fail(r, "subgraph %d tensor %d '%s': absurd size", sg, ti, t->name);
  }
  int32_t nsig = 0;
  st = int_vector(r, tt, TENSOR_SHAPE_SIGNATURE, &t->dims_sig, &nsig, "shape_signature");
  if (st) return st;
  if (nsig == 0) {
    free(t->dims_sig);
    t->dims_sig = NULL;
  } else if (nsig != t->ndim) {
    return fail(r, "subgraph %d tensor %d '%s': shape_signature rank %d != shape rank %d", sg, ti, t->name, nsig,
                t->ndim);
  }
  tl_fb_table sp;
  int s = tl_fb_subtable(tt, TENSOR_SPARSITY, &sp);
  if (s < 0) return fail(r, "subgraph %d tensor %d '%s': sparsity out of bounds", sg, ti, t->name);
  t->has_sparsity = s == 1;
  t->sparsity = sp;
  if (t->buffer > 0 && m->buffers[t->buffer].size) {
    t->data = m->buffers[t->buffer].data;
    t->data_size = m->buffers[t->buffer].size;
    size_t es = tl_type_size(t->type);
    if (!t->has_sparsity && es && (uint64_t)count * es != t->data_size)
      return fail(r, "subgraph %d tensor %d '%s': constant data is %zu bytes but shape and type need %llu", sg, ti,
                  t->name, t->data_size, (unsigned long long)count * es);
    if (t->has_sparsity && es && t->data_size % es)
      return fail(r, "subgraph %d tensor %d '%s': sparse data size %zu is not a multiple of %zu", sg, ti, t->name,
                  t->data_size, es);
  } else if (t->has_sparsity) {
    return fail(r, "subgraph %d tensor %d '%s': sparse tensor without data", sg, ti, t->name);
  }
  tl_fb_table q;
  s = tl_fb_subtable(tt, TENSOR_QUANT, &q);
  if (s < 0) return fail(r, "subgraph %d tensor %d '%s': quantization out of bounds", sg, ti, t->name);
  if (s == 1) return read_quant(r, sg, ti, t, &q);
  return TL_OK;
}

static tl_status check_index(reader *r, int sg, int32_t n_tensors, int32_t idx, int allow_none, const char *what,
                             int pos) {
  if (idx == -1 && allow_none) return TL_OK;
  if (idx < 0 || idx >= n_tensors)
    return fail(r, "subgraph %d: %s %d refers to tensor %d, out of range (%d tensors)", sg, what, pos, idx, n_tensors);
  return TL_OK;
}

static tl_status read_op(reader *r, int sg, int oi, const tl_fb_table *ot, tl_msubgraph *g) {
  tl_model *m = r->m;
  tl_mop *op = &g->ops[oi];
  uint32_t code = tl_fb_u32(ot, OP_OPCODE, 0);
  if (code >= (uint32_t)m->n_opcodes)
    return fail(r, "subgraph %d op %d: opcode index %u out of range (%d operator codes)", sg, oi, code, m->n_opcodes);
  op->opcode = (int32_t)code;
  op->builtin = m->opcodes[code].builtin;
  op->version = m->opcodes[code].version;
  const char *name = tl_op_name(op->builtin);
  tl_status st = int_vector(r, ot, OP_INPUTS, &op->in, &op->n_in, "operator inputs");
  if (!st) st = int_vector(r, ot, OP_OUTPUTS, &op->out, &op->n_out, "operator outputs");
  if (!st) st = int_vector(r, ot, OP_INTERMEDIATES, &op->interm, &op->n_interm, "operator intermediates");
  if (st) return st;
  for (int i = 0; i < op->n_in; i++)
    if ((st = check_index(r, sg, g->n_tensors, op->in[i], 1, "op input", i))) return st;
  for (int i = 0; i < op->n_interm; i++)
    if ((st = check_index(r, sg, g->n_tensors, op->interm[i], 0, "op intermediate", i))) return st;
  for (int i = 0; i < op->n_out; i++) {
    /* CVE-2020-15211: -1 ("optional") must never stand for an output. */
    if ((st = check_index(r, sg, g->n_tensors, op->out[i], 0, "op output", i))) return st;
    /* CVE-2020-15210: a tensor both read and written by one op. */
    for (int j = 0; j < op->n_in; j++)
      if (op->in[j] == op->out[i])
        return fail(r, "subgraph %d op %d (%s): tensor %d is both input %d and output %d", sg, oi, name, op->out[i], j,
                    i);
    for (int j = 0; j < i; j++)
      if (op->out[j] == op->out[i])
        return fail(r, "subgraph %d op %d (%s): tensor %d is output twice", sg, oi, name, op->out[i]);
  }
  op->options_type = tl_fb_u8(ot, OP_OPTIONS_TYPE, 0);
  int s = tl_fb_subtable(ot, OP_OPTIONS, &op->options);
  if (s < 0) return fail(r, "subgraph %d op %d (%s): builtin options out of bounds", sg, oi, name);
  tl_fb_vec cv;
  s = tl_fb_vector(ot, OP_CUSTOM, 1, &cv);
  if (s < 0) return fail(r, "subgraph %d op %d (%s): custom options out of bounds", sg, oi, name);
  if (s == 1) op->custom = cv.data, op->custom_size = cv.n;
  uint64_t coff = tl_fb_u64(ot, OP_LARGE_CUSTOM_OFFSET, 0), csize = tl_fb_u64(ot, OP_LARGE_CUSTOM_SIZE, 0);
  if (coff > 1) {
    if (coff > m->size || csize > m->size - coff || csize > UINT32_MAX)
      return fail(r, "subgraph %d op %d (%s): custom options outside the file", sg, oi, name);
    op->custom = m->bytes + coff;
    op->custom_size = (uint32_t)csize;
  }
  return TL_OK;
}

/* Dataflow check: every tensor an op reads must be a constant, a graph input, a variable, or the
 * output of an earlier op (CVE-2020-15209: a constant whose buffer was edited away becomes an
 * activation nobody writes). Each tensor has at most one writer, and constants are never written. */
static tl_status check_dataflow(reader *r, int sg, tl_msubgraph *g) {
  uint8_t *def;
  ALLOC(r, def, g->n_tensors);
  tl_status st = TL_OK;
  for (int i = 0; i < g->n_tensors; i++) def[i] = g->tensors[i].data != NULL || g->tensors[i].is_variable;
  for (int i = 0; i < g->n_in && !st; i++) {
    if (g->tensors[g->in[i]].data) st = fail(r, "subgraph %d: input %d (tensor %d) is a constant", sg, i, g->in[i]);
    def[g->in[i]] = 1;
  }
  for (int o = 0; o < g->n_ops && !st; o++) {
    const tl_mop *op = &g->ops[o];
    for (int i = 0; i < op->n_in && !st; i++) {
      int32_t t = op->in[i];
      if (t >= 0 && !def[t] && op->builtin != TL_BUILTIN_WHILE)
        st = fail(r, "subgraph %d op %d (%s): input %d reads tensor %d '%s', which has no data and is written by no "
                     "earlier op",
                  sg, o, tl_op_name(op->builtin), i, t, g->tensors[t].name);
    }
    for (int i = 0; i < op->n_out && !st; i++) {
      int32_t t = op->out[i];
      const tl_mtensor *mt = &g->tensors[t];
      if (mt->data)
        st = fail(r, "subgraph %d op %d (%s): output %d writes constant tensor %d '%s'", sg, o, tl_op_name(op->builtin),
                  i, t, mt->name);
      else if (def[t] && !mt->is_variable)
        st = fail(r, "subgraph %d op %d (%s): output tensor %d '%s' is already written by a graph input or an earlier op",
                  sg, o, tl_op_name(op->builtin), t, mt->name);
      def[t] = 1;
    }
  }
  for (int i = 0; i < g->n_out && !st; i++)
    if (!def[g->out[i]]) st = fail(r, "subgraph %d: output %d (tensor %d) is never written", sg, i, g->out[i]);
  free(def);
  return st;
}

static tl_status read_subgraph(reader *r, int sg, const tl_fb_table *st_, tl_msubgraph *g) {
  int bad = 0;
  g->name = str_field(r, st_, SG_NAME, &bad);
  if (bad) return fail(r, "subgraph %d: name out of bounds", sg);
  tl_fb_vec tv, ov;
  tl_status st = table_vector(r, st_, SG_TENSORS, &tv, "tensors");
  if (!st) st = table_vector(r, st_, SG_OPERATORS, &ov, "operators");
  if (st) return st;
  g->n_tensors = tv.ok ? (int32_t)tv.n : 0;
  g->n_ops = ov.ok ? (int32_t)ov.n : 0;
  ALLOC(r, g->tensors, g->n_tensors);
  ALLOC(r, g->ops, g->n_ops);
  for (int32_t i = 0; i < g->n_tensors; i++) {
    tl_fb_table t;
    if (tl_fb_vec_table(&r->root, &tv, (uint32_t)i, &t) != 1) return fail(r, "subgraph %d tensor %d: out of bounds", sg, i);
    if ((st = read_tensor(r, sg, i, &t, &g->tensors[i]))) return st;
  }
  if ((st = int_vector(r, st_, SG_INPUTS, &g->in, &g->n_in, "subgraph inputs"))) return st;
  if ((st = int_vector(r, st_, SG_OUTPUTS, &g->out, &g->n_out, "subgraph outputs"))) return st;
  for (int i = 0; i < g->n_in; i++)
    if ((st = check_index(r, sg, g->n_tensors, g->in[i], 0, "graph input", i))) return st;
  for (int i = 0; i < g->n_out; i++)
    if ((st = check_index(r, sg, g->n_tensors, g->out[i], 0, "graph output", i))) return st;
  for (int32_t i = 0; i < g->n_ops; i++) {
    tl_fb_table t;
    if (tl_fb_vec_table(&r->root, &ov, (uint32_t)i, &t) != 1) return fail(r, "subgraph %d op %d: out of bounds", sg, i);
    if ((st = read_op(r, sg, i, &t, g))) return st;
  }
  return check_dataflow(r, sg, g);
}

/* Subgraph indices named in control-flow ops' options (field ids in CallOnce/If/While/Call options). */
static int op_subgraph_refs(const tl_mop *op, int32_t refs[2]) {
  switch (op->builtin) {
    case TL_BUILTIN_CALL_ONCE: refs[0] = tl_fb_i32(&op->options, 0, -1); return 1;
    case TL_BUILTIN_CALL: refs[0] = tl_fb_i32(&op->options, 0, -1); return 1;
    case TL_BUILTIN_IF:
    case TL_BUILTIN_WHILE:
      refs[0] = tl_fb_i32(&op->options, 0, -1);
      refs[1] = tl_fb_i32(&op->options, 1, -1);
      return 2;
    default: return 0;
  }
}

/* CVE-2021-29591: a subgraph that (indirectly) calls itself recurses without end. Depth-first search
 * with colours; iterative, so a hostile chain cannot overflow the stack. */
static tl_status check_subgraph_calls(reader *r) {
  tl_model *m = r->m;
  int32_t n = m->n_subgraphs;
  uint8_t *colour;
  int32_t *stack_sg, *stack_op;
  ALLOC(r, colour, n);
  stack_sg = alloc_array((size_t)n + 1, sizeof *stack_sg);
  stack_op = alloc_array((size_t)n + 1, sizeof *stack_op);
  tl_status st = TL_OK;
  if (!stack_sg || !stack_op) st = fail(r, "out of memory reading the model"), st = TL_ERR_NOMEM;
  for (int32_t root = 0; root < n && !st; root++) {
    if (colour[root]) continue;
    int depth = 0;
    stack_sg[0] = root;
    stack_op[0] = 0;
    colour[root] = 1;
    while (depth >= 0 && !st) {
      tl_msubgraph *g = &m->subgraphs[stack_sg[depth]];
      /* stack_op encodes (op index * 2 + ref slot) of the next edge to visit. */
      int32_t e = stack_op[depth];
      if (e / 2 >= g->n_ops) {
        colour[stack_sg[depth]] = 2;
        depth--;
        continue;
      }
      stack_op[depth] = e + 1;
      int32_t refs[2];
      int k = op_subgraph_refs(&g->ops[e / 2], refs);
      if (e % 2 >= k) continue;
      int32_t to = refs[e % 2];
      if (to < 0 || to >= n) {
        st = fail(r, "subgraph %d op %d (%s): subgraph index %d out of range (%d subgraphs)", stack_sg[depth], e / 2,
                  tl_op_name(g->ops[e / 2].builtin), to, n);
      } else if (colour[to] == 1) {
        st = fail(r, "subgraph %d op %d (%s): calls subgraph %d, which is already on the call path (a cycle)",
                  stack_sg[depth], e / 2, tl_op_name(g->ops[e / 2].builtin), to);
      } else if (colour[to] == 0) {
        colour[to] = 1;
        depth++;
        stack_sg[depth] = to;
        stack_op[depth] = 0;
      }
    }
  }
  free(colour);
  free(stack_sg);
  free(stack_op);
  return st;
}

static tl_status read_tensor_maps(reader *r, const tl_fb_table *t, int id, int sg, tl_mtensormap **out, int32_t *n) {
  tl_fb_vec v;
  tl_status st = table_vector(r, t, id, &v, "signature tensors");
  if (st) return st;
  *n = v.ok ? (int32_t)v.n : 0;
  ALLOC(r, *out, *n);
  for (int32_t i = 0; i < *n; i++) {
    tl_fb_table mt;
    if (tl_fb_vec_table(&r->root, &v, (uint32_t)i, &mt) != 1) return fail(r, "signature tensor map %d: out of bounds", i);
    int bad = 0;
    (*out)[i].name = str_field(r, &mt, TMAP_NAME, &bad);
    uint32_t ti = tl_fb_u32(&mt, TMAP_TENSOR, 0);
    if (bad) return fail(r, "signature tensor map %d: name out of bounds", i);
    if (ti >= (uint32_t)r->m->subgraphs[sg].n_tensors)
      return fail(r, "signature entry '%s': tensor %u out of range", (*out)[i].name, ti);
    (*out)[i].tensor = (int32_t)ti;
  }
  return TL_OK;
}

static tl_status read_signatures(reader *r) {
  tl_model *m = r->m;
  tl_fb_vec v;
  tl_status st = table_vector(r, &r->root, MODEL_SIGNATURES, &v, "signature_defs");
  if (st) return st;
  m->n_signatures = v.ok ? (int32_t)v.n : 0;
  ALLOC(r, m->signatures, m->n_signatures);
  for (int32_t i = 0; i < m->n_signatures; i++) {
    tl_fb_table t;
    if (tl_fb_vec_table(&r->root, &v, (uint32_t)i, &t) != 1) return fail(r, "signature %d: out of bounds", i);
    tl_msignature *s = &m->signatures[i];
    int bad = 0;
    s->key = str_field(r, &t, SIG_KEY, &bad);
    if (bad) return fail(r, "signature %d: key out of bounds", i);
    uint32_t sg = tl_fb_u32(&t, SIG_SUBGRAPH, 0);
    if (sg >= (uint32_t)m->n_subgraphs) return fail(r, "signature '%s': subgraph %u out of range", s->key, sg);
    s->subgraph = (int32_t)sg;
    if ((st = read_tensor_maps(r, &t, SIG_INPUTS, s->subgraph, &s->in, &s->n_in))) return st;
    if ((st = read_tensor_maps(r, &t, SIG_OUTPUTS, s->subgraph, &s->out, &s->n_out))) return st;
  }
  return TL_OK;
}

static tl_status read_metadata(reader *r) {
  tl_model *m = r->m;
  tl_fb_vec v;
  tl_status st = table_vector(r, &r->root, MODEL_METADATA, &v, "metadata");
  if (st) return st;
  m->n_metadata = v.ok ? (int32_t)v.n : 0;
  ALLOC(r, m->metadata, m->n_metadata);
  for (int32_t i = 0; i < m->n_metadata; i++) {
    tl_fb_table t;
    if (tl_fb_vec_table(&r->root, &v, (uint32_t)i, &t) != 1) return fail(r, "metadata %d: out of bounds", i);
    int bad = 0;
    m->metadata[i].name = str_field(r, &t, META_NAME, &bad);
    uint32_t b = tl_fb_u32(&t, META_BUFFER, 0);
    if (bad) return fail(r, "metadata %d: name out of bounds", i);
    if (b >= (uint32_t)m->n_buffers) return fail(r, "metadata '%s': buffer %u out of range", m->metadata[i].name, b);
    m->metadata[i].buffer = (int32_t)b;
  }
  return TL_OK;
}

tl_status tl_model_parse(tl_model *m, char *err, size_t errlen) {
  reader r = {m, err, errlen, {0}};
  if (err && errlen) err[0] = 0;
  if (m->size < 12) return fail(&r, "file is %zu bytes: too short to be a .tflite model", m->size);
  if (memcmp(m->bytes + 4, "TFL3", 4) != 0)
    return fail(&r, "wrong file identifier (expected \"TFL3\" at byte 4): not a TensorFlow Lite model");
  if (!tl_fb_root(m->bytes, m->size, &r.root)) return fail(&r, "root table out of bounds: file truncated or corrupt");
  m->version = tl_fb_u32(&r.root, MODEL_VERSION, 0);
  if (m->version != 3) return fail(&r, "schema version %u is not supported (expected 3)", m->version);
  int bad = 0;
  m->description = str_field(&r, &r.root, MODEL_DESCRIPTION, &bad);
  if (bad) return fail(&r, "description string out of bounds");
  tl_status st;
  if ((st = read_opcodes(&r)) || (st = read_buffers(&r))) return st;
  tl_fb_vec sv;
  if ((st = table_vector(&r, &r.root, MODEL_SUBGRAPHS, &sv, "subgraphs"))) return st;
  m->n_subgraphs = sv.ok ? (int32_t)sv.n : 0;
  if (m->n_subgraphs < 1) return fail(&r, "model has no subgraph");
  ALLOC(&r, m->subgraphs, m->n_subgraphs);
  for (int32_t i = 0; i < m->n_subgraphs; i++) {
    tl_fb_table t;
    if (tl_fb_vec_table(&r.root, &sv, (uint32_t)i, &t) != 1) return fail(&r, "subgraph %d: out of bounds", i);
    if ((st = read_subgraph(&r, i, &t, &m->subgraphs[i]))) return st;
  }
  if ((st = check_subgraph_calls(&r)) || (st = read_signatures(&r)) || (st = read_metadata(&r))) return st;
  return TL_OK;
}

void tl_model_release(tl_model *m) {
  for (int32_t s = 0; m->subgraphs && s < m->n_subgraphs; s++) {
    tl_msubgraph *g = &m->subgraphs[s];
    for (int32_t i = 0; g->tensors && i < g->n_tensors; i++) {
      free(g->tensors[i].dims);
      free(g->tensors[i].dims_sig);
      free(g->tensors[i].q.scales);
      free(g->tensors[i].q.zero_points);
    }
    for (int32_t i = 0; g->ops && i < g->n_ops; i++) {
      free(g->ops[i].in);
      free(g->ops[i].out);
      free(g->ops[i].interm);
    }
    free(g->tensors);
    free(g->ops);
    free(g->in);
    free(g->out);
  }
  for (int32_t i = 0; m->signatures && i < m->n_signatures; i++) {
    free(m->signatures[i].in);
    free(m->signatures[i].out);
  }
  free(m->subgraphs);
  free(m->opcodes);
  free(m->buffers);
  free(m->signatures);
  free(m->metadata);
}
