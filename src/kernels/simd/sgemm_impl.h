/* SPDX-License-Identifier: Apache-2.0
 * SGEMM template for the trainer, included once per ISA by simd/<isa>/sgemm.c with GEMM_SUFFIX,
 * GEMM_NAME (the exported function), GEMM_MR, GEMM_NR, GEMM_MC, GEMM_VW (floats per vector) and
 * GEMM_ATTR defined. Portable C with GCC/Clang vector types: the
 * micro-kernel keeps MR x NR/VW vector accumulators that stay in registers. A may be a strided
 * matrix or indirect (segment pointers: convolutions without an im2col copy). */
/* Block sizes: MC x KC packed A (<= 384 KB) lives in L2, a KC x NR B micro-panel in L1
 * (TL_SGEMM_WS_FLOATS in sgemm.h holds both for MC <= 256). */
#define GEMM_KC 384
#define GEMM_NC 512

#define GEMM_CAT2(a, b) a##_##b
#define GEMM_CAT(a, b) GEMM_CAT2(a, b)
#define GEMM_FN(name) GEMM_CAT(name, GEMM_SUFFIX)

/* pa[p*kc*MR + k*MR + i] = A[(i0 + p*MR + i), (k0 + k)], zero-padded past M */
GEMM_ATTR static void GEMM_FN(pack_a)(int mc, int kc, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                                      float *restrict pa) {
  for (int p = 0; p < mc; p += GEMM_MR) {
    int mr = mc - p < GEMM_MR ? mc - p : GEMM_MR;
    const float *a = A + (ptrdiff_t)p * rsa;
    if (mr == GEMM_MR && csa == 1) {
      /* rows are contiguous along k: transpose MR x 8 blocks so stores are contiguous */
      const float *ar[GEMM_MR];
      for (int i = 0; i < GEMM_MR; i++) ar[i] = a + i * rsa;
      int k = 0;
      for (; k + 8 <= kc; k += 8)
        for (int kk = 0; kk < 8; kk++)
          for (int i = 0; i < GEMM_MR; i++) pa[(k + kk) * GEMM_MR + i] = ar[i][k + kk];
      for (; k < kc; k++)
        for (int i = 0; i < GEMM_MR; i++) pa[k * GEMM_MR + i] = ar[i][k];
    } else if (mr == GEMM_MR && rsa == 1) {
      for (int k = 0; k < kc; k++) {
        const float *ak = a + k * csa;
        for (int i = 0; i < GEMM_MR; i++) pa[k * GEMM_MR + i] = ak[i];
      }
    } else {
      for (int k = 0; k < kc; k++) {
        for (int i = 0; i < mr; i++) pa[k * GEMM_MR + i] = a[i * rsa + k * csa];
        for (int i = mr; i < GEMM_MR; i++) pa[k * GEMM_MR + i] = 0.0f;
      }
    }
    pa += (ptrdiff_t)kc * GEMM_MR;
  }
}

/* pack_a for an indirect A (im2col without the im2col matrix): row r of A is the concatenation
 * of the nseg segments ind->rows[r*nseg + s][0..seglen). Same layout as pack_a, for rows
 * [i0, i0 + mc) and columns [k0, k0 + kc); segments are copied in MR x 8 transposed blocks. */
GEMM_ATTR static void GEMM_FN(pack_a_ind)(int i0, int mc, int k0, int kc, const tl_sgemm_ind *ind, float *restrict pa) {
  const int S = ind->seglen, nseg = ind->nseg;
  for (int p = 0; p < mc; p += GEMM_MR) {
    const int mr = mc - p < GEMM_MR ? mc - p : GEMM_MR;
    const float *const *rp = ind->rows + (ptrdiff_t)(i0 + p) * nseg;
    for (int k = 0; k < kc;) {
      const int seg = (k0 + k) / S, off = k0 + k - seg * S;
      const int len = S - off < kc - k ? S - off : kc - k;
      const float *ar[GEMM_MR];
      for (int i = 0; i < mr; i++) ar[i] = rp[(ptrdiff_t)i * nseg + seg] + off;
      float *restrict dst = pa + (ptrdiff_t)k * GEMM_MR;
      if (mr == GEMM_MR) {
        int t = 0;
        for (; t + 8 <= len; t += 8)
          for (int kk = 0; kk < 8; kk++)
            for (int i = 0; i < GEMM_MR; i++) dst[(t + kk) * GEMM_MR + i] = ar[i][t + kk];
        for (; t < len; t++)
          for (int i = 0; i < GEMM_MR; i++) dst[t * GEMM_MR + i] = ar[i][t];
      } else {
        for (int t = 0; t < len; t++) {
          for (int i = 0; i < mr; i++) dst[t * GEMM_MR + i] = ar[i][t];
          for (int i = mr; i < GEMM_MR; i++) dst[t * GEMM_MR + i] = 0.0f;
        }
      }
      k += len;
    }
    pa += (ptrdiff_t)kc * GEMM_MR;
  }
}

/* pack_a for the transpose of an indirect matrix: A[m][k] = I[k][m], i.e. A's rows are I's
 * columns (for the weight gradient X^T * dY). MR consecutive columns of one I row are usually
 * inside one segment: a contiguous copy; panels that straddle segments go element by element. */
GEMM_ATTR static void GEMM_FN(pack_a_ind_t)(int i0, int mc, int k0, int kc, const tl_sgemm_ind *ind,
                                            float *restrict pa) {
  const int S = ind->seglen, nseg = ind->nseg;
  for (int p = 0; p < mc; p += GEMM_MR) {
    const int mr = mc - p < GEMM_MR ? mc - p : GEMM_MR, m0 = i0 + p;
    const int seg = m0 / S, off = m0 - seg * S;
    if (mr == GEMM_MR && off + GEMM_MR <= S) {
      for (int t = 0; t < kc; t++) {
        const float *src = ind->rows[(ptrdiff_t)(k0 + t) * nseg + seg] + off;
        for (int i = 0; i < GEMM_MR; i++) pa[t * GEMM_MR + i] = src[i];
      }
    } else {
      int sg[GEMM_MR], of[GEMM_MR];
      for (int i = 0; i < mr; i++) {
        sg[i] = (m0 + i) / S;
        of[i] = m0 + i - sg[i] * S;
      }
      for (int t = 0; t < kc; t++) {
        const float *const *rp = ind->rows + (ptrdiff_t)(k0 + t) * nseg;
        for (int i = 0; i < mr; i++) pa[t * GEMM_MR + i] = rp[sg[i]][of[i]];
        for (int i = mr; i < GEMM_MR; i++) pa[t * GEMM_MR + i] = 0.0f;
      }
    }
    pa += (ptrdiff_t)kc * GEMM_MR;
  }
}

/* pb[p*kc*NR + k*NR + j] = B[(k0 + k), (j0 + p*NR + j)], zero-padded past N */
GEMM_ATTR static void GEMM_FN(pack_b)(int nc, int kc, const float *B, ptrdiff_t rsb, ptrdiff_t csb,
                                      float *restrict pb) {
  for (int p = 0; p < nc; p += GEMM_NR) {
    int nr = nc - p < GEMM_NR ? nc - p : GEMM_NR;
    const float *b = B + (ptrdiff_t)p * csb;
    if (nr == GEMM_NR && csb == 1) {
      for (int k = 0; k < kc; k++) {
        const float *bk = b + k * rsb;
        for (int j = 0; j < GEMM_NR; j++) pb[k * GEMM_NR + j] = bk[j];
      }
    } else if (nr == GEMM_NR && rsb == 1) {
      for (int j = 0; j < GEMM_NR; j++) {
        const float *bj = b + j * csb;
        for (int k = 0; k < kc; k++) pb[k * GEMM_NR + j] = bj[k];
      }
    } else {
      for (int k = 0; k < kc; k++) {
        for (int j = 0; j < nr; j++) pb[k * GEMM_NR + j] = b[k * rsb + j * csb];
        for (int j = nr; j < GEMM_NR; j++) pb[k * GEMM_NR + j] = 0.0f;
      }
    }
    pb += (ptrdiff_t)kc * GEMM_NR;
  }
}

/* C tile (mr x nr valid) (+)= packed A panel (kc x MR) * packed B panel (kc x NR).
 * GCC/Clang vector types (not intrinsics, so every variant is the same C): the accumulators are
 * MR x NR/VW vectors, B rows are vector loads and each A element is a scalar broadcast that the
 * compiler folds into the FMA's memory operand. Plain arrays let gcc pick shuffles (vpermps) to
 * broadcast A, which compete with the FMAs for the same port and cost a third of the speed. */
typedef float GEMM_FN(vec) __attribute__((vector_size(GEMM_VW * sizeof(float)), may_alias));
#define GEMM_NV (GEMM_NR / GEMM_VW)

GEMM_ATTR static void GEMM_FN(ukernel)(int kc, const float *restrict a, const float *restrict b, float *restrict c,
                                       ptrdiff_t ldc, int mr, int nr, int acc) {
  typedef GEMM_FN(vec) vec;
  vec ab[GEMM_MR][GEMM_NV];
  const vec zero = {0};
#pragma GCC unroll 16
  for (int i = 0; i < GEMM_MR; i++)
#pragma GCC unroll 8
    for (int v = 0; v < GEMM_NV; v++) ab[i][v] = zero;
  for (int k = 0; k < kc; k++) {
    const vec *restrict bk = (const vec *)(b + (ptrdiff_t)k * GEMM_NR);
    const float *restrict ak = a + (ptrdiff_t)k * GEMM_MR;
    vec bv[GEMM_NV];
#pragma GCC unroll 8
    for (int v = 0; v < GEMM_NV; v++) bv[v] = bk[v];
#pragma GCC unroll 16
    for (int i = 0; i < GEMM_MR; i++) {
      const float ai = ak[i];
#pragma GCC unroll 8
      for (int v = 0; v < GEMM_NV; v++) ab[i][v] += ai * bv[v];
    }
  }
  if (mr == GEMM_MR && nr == GEMM_NR) {
    /* C is not aligned: memcpy is the portable unaligned vector load/store */
#pragma GCC unroll 16
    for (int i = 0; i < GEMM_MR; i++) {
      float *ci = c + i * ldc;
#pragma GCC unroll 8
      for (int v = 0; v < GEMM_NV; v++) {
        vec r = ab[i][v];
        if (acc) {
          vec old;
          memcpy(&old, ci + v * GEMM_VW, sizeof old);
          r += old;
        }
        memcpy(ci + v * GEMM_VW, &r, sizeof r);
      }
    }
  } else {
    float t[GEMM_MR][GEMM_NR];
    memcpy(t, ab, sizeof t);
    for (int i = 0; i < mr; i++)
      for (int j = 0; j < nr; j++) c[i * ldc + j] = (acc ? c[i * ldc + j] : 0.0f) + t[i][j];
  }
}

/* BLIS loop order: N blocks (NC) > K blocks (KC, B block packed) > M blocks (MC, A block packed)
 * > NR micro-panels (B panel stays in L1) > MR micro-panels. K is cut into equal blocks so a
 * K slightly above KC does not leave a tiny, inefficient tail block. */
GEMM_ATTR void GEMM_NAME(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa, const tl_sgemm_ind *ind,
                         int trans, const float *B, ptrdiff_t rsb, ptrdiff_t csb, int accumulate, float *C,
                         ptrdiff_t ldc, float *ws) {
  const int MCB = GEMM_MC, NCB = GEMM_NC;
  int nkb = (K + GEMM_KC - 1) / GEMM_KC;
  int kcb = nkb ? (K + nkb - 1) / nkb : 0;
  float *pa = ws;
  float *pb = ws + (size_t)GEMM_MC * GEMM_KC;
  if (K == 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C[i * ldc + j] = 0.0f;
    return;
  }
  for (int jc = 0; jc < N; jc += NCB) {
    int nc = N - jc < NCB ? N - jc : NCB;
    for (int pc = 0; pc < K; pc += kcb) {
      int kc = K - pc < kcb ? K - pc : kcb;
      int acc = accumulate || pc > 0;
      GEMM_FN(pack_b)(nc, kc, B + pc * rsb + jc * csb, rsb, csb, pb);
      for (int ic = 0; ic < M; ic += MCB) {
        int mc = M - ic < MCB ? M - ic : MCB;
        if (!ind)
          GEMM_FN(pack_a)(mc, kc, A + ic * rsa + pc * csa, rsa, csa, pa);
        else if (!trans)
          GEMM_FN(pack_a_ind)(ic, mc, pc, kc, ind, pa);
        else
          GEMM_FN(pack_a_ind_t)(ic, mc, pc, kc, ind, pa);
        for (int jr = 0; jr < nc; jr += GEMM_NR) {
          int nr = nc - jr < GEMM_NR ? nc - jr : GEMM_NR;
          const float *bp = pb + (ptrdiff_t)(jr / GEMM_NR) * kc * GEMM_NR;
          for (int ir = 0; ir < mc; ir += GEMM_MR) {
            int mr = mc - ir < GEMM_MR ? mc - ir : GEMM_MR;
            GEMM_FN(ukernel)
            (kc, pa + (ptrdiff_t)(ir / GEMM_MR) * kc * GEMM_MR, bp, C + (ptrdiff_t)(ic + ir) * ldc + jc + jr, ldc, mr,
             nr, acc);
          }
        }
      }
    }
  }
}

#undef GEMM_NV
#undef GEMM_KC
#undef GEMM_NC
#undef GEMM_FN
#undef GEMM_CAT
#undef GEMM_CAT2
