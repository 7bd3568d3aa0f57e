/* The trainer's SGEMM against the plain triple loop, for every kernel variant this CPU runs,
 * at tile edges (M, N, K below/at/above the register tile and the cache blocks) and with every
 * transposition the layers use (strided A and B), both overwrite and accumulate; likewise the
 * indirect form (A from segment pointers, plain and transposed) the convolutions use. */
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "kernels/sgemm.h"

static int check(int M, int N, int K, int ta, int tb, int acc)
{
    float *A = malloc(sizeof(float) * (M * K + 1)), *B = malloc(sizeof(float) * (K * N + 1));
    float *C = malloc(sizeof(float) * (M * N + 1)), *R = malloc(sizeof(float) * (M * N + 1));
    float *ws = malloc(sizeof(float) * TL_SGEMM_WS_FLOATS);
    for (int i = 0; i < M * K; i++) A[i] = (float)((i * 37 % 101) - 50) / 50.0f;
    for (int i = 0; i < K * N; i++) B[i] = (float)((i * 53 % 97) - 48) / 48.0f;
    for (int i = 0; i < M * N; i++) C[i] = R[i] = (float)(i % 13) - 6.0f;
    ptrdiff_t rsa = ta ? 1 : K, csa = ta ? M : 1, rsb = tb ? 1 : N, csb = tb ? K : 1;
    tl_sgemm(M, N, K, A, rsa, csa, B, rsb, csb, acc, C, N, ws);
    tl_sgemm_ref(M, N, K, A, rsa, csa, B, rsb, csb, acc, R, N);
    int bad = 0;
    for (int i = 0; i < M * N && !bad; i++)
        if (fabsf(C[i] - R[i]) > 1e-4f * (K + 1)) {
            fprintf(stderr, "  %s M%d N%d K%d ta%d tb%d acc%d: C[%d] %g vs %g\n", tl_sgemm_variant(), M, N, K, ta, tb,
                    acc, i, C[i], R[i]);
            bad = 1;
        }
    free(A);
    free(B);
    free(C);
    free(R);
    free(ws);
    return bad;
}

TEST(all_variants_match_reference)
{
    static const int sizes[] = {1, 5, 6, 7, 8, 9, 16, 31, 32, 33, 63, 100};
    static const int ks[] = {0, 1, 9, 64, 383, 384, 385, 800};
    int variants = 0;
    for (int v = 1; v <= 3; v++) {
        if (tl_sgemm_force_variant(v) != 0) continue;
        variants++;
        int fails = 0;
        for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++)
            for (size_t b = 0; b < sizeof sizes / sizeof *sizes; b += 3)
                for (size_t k = 0; k < sizeof ks / sizeof *ks; k++)
                    for (int t = 0; t < 8; t++) fails += check(sizes[a], sizes[b], ks[k], t & 1, t >> 1 & 1, t >> 2);
        /* the blocks: M above MC, N above NC */
        fails += check(300, 40, 50, 0, 0, 0) + check(20, 600, 50, 1, 1, 1) + check(576, 64, 288, 0, 0, 0);
        EXPECT_EQ(fails, 0);
    }
    EXPECT(variants >= 1);
    tl_sgemm_force_variant(0);
}

/* Indirect A (the conv path): an M x (nseg*seglen) matrix given by segment pointers, some of them
 * to a shared zero buffer and some overlapping (as windows do), against the explicit matrix. */
static int check_indirect(int M, int N, int nseg, int seglen, int trans, int acc)
{
    /* X, the explicit matrix, has M rows and K = nseg * seglen columns */
    const int K = nseg * seglen, rows = M;
    /* source: a pool the segments point into, overlapping like conv windows */
    const int pool = rows * 3 + nseg * seglen + 8;
    float *src = malloc(sizeof(float) * pool), *zero = calloc((size_t)seglen, sizeof(float));
    const float **ptr = malloc(sizeof(float *) * (size_t)rows * nseg);
    float *X = malloc(sizeof(float) * (size_t)rows * K); /* the explicit matrix */
    for (int i = 0; i < pool; i++) src[i] = (float)((i * 29 % 83) - 41) / 41.0f;
    for (int r = 0; r < rows; r++)
        for (int sg = 0; sg < nseg; sg++) {
            const float *p = (r + sg) % 5 == 4 ? zero : src + r * 3 + sg * seglen / 2;
            ptr[r * nseg + sg] = p;
            for (int q = 0; q < seglen; q++) X[(size_t)r * K + sg * seglen + q] = p[q];
        }
    tl_sgemm_ind ind = {ptr, nseg, seglen};
    /* trans = 0: C[M,N] = X[M,K] * B[K,N]; trans = 1: C[K,N] = X^T[K,M] * B[M,N] */
    const int GK = trans ? rows : K, GM = trans ? K : M;
    float *B = malloc(sizeof(float) * (size_t)GK * N), *C = malloc(sizeof(float) * (size_t)GM * N);
    float *R = malloc(sizeof(float) * (size_t)GM * N), *ws = malloc(sizeof(float) * TL_SGEMM_WS_FLOATS);
    for (int i = 0; i < GK * N; i++) B[i] = (float)((i * 53 % 97) - 48) / 48.0f;
    for (int i = 0; i < GM * N; i++) C[i] = R[i] = (float)(i % 11) - 5.0f;
    tl_sgemm_indirect(GM, N, GK, &ind, trans, B, N, 1, acc, C, N, ws);
    if (trans)
        tl_sgemm_ref(GM, N, GK, X, 1, K, B, N, 1, acc, R, N);
    else
        tl_sgemm_ref(GM, N, GK, X, K, 1, B, N, 1, acc, R, N);
    int bad = 0;
    for (int i = 0; i < GM * N && !bad; i++)
        if (fabsf(C[i] - R[i]) > 1e-4f * (GK + 1)) {
            fprintf(stderr, "  %s indirect M%d N%d nseg%d seglen%d trans%d acc%d: C[%d] %g vs %g\n", tl_sgemm_variant(),
                    GM, N, nseg, seglen, trans, acc, i, C[i], R[i]);
            bad = 1;
        }
    free(src);
    free(zero);
    free(ptr);
    free(X);
    free(B);
    free(C);
    free(R);
    free(ws);
    return bad;
}

TEST(indirect_matches_reference)
{
    /* segment lengths below/at/above the 8-wide transpose blocks and MR, not multiples of MR
     * (panels straddle segments), K above the K block (384) */
    static const int segs[][2] = {{3, 3}, {1, 1}, {3, 96}, {2, 7}, {4, 8}, {5, 17}, {9, 32}, {3, 200}, {25, 1}};
    static const int ms[] = {1, 7, 8, 9, 33, 100, 300};
    int variants = 0;
    for (int v = 1; v <= 3; v++) {
        if (tl_sgemm_force_variant(v) != 0) continue;
        variants++;
        int fails = 0;
        for (size_t s = 0; s < sizeof segs / sizeof *segs; s++)
            for (size_t m = 0; m < sizeof ms / sizeof *ms; m++)
                for (int t = 0; t < 4; t++)
                    fails += check_indirect(ms[m], 1 + (int)(m * 13 % 70), segs[s][0], segs[s][1], t & 1, t >> 1);
        EXPECT_EQ(fails, 0);
    }
    EXPECT(variants >= 1);
    tl_sgemm_force_variant(0);
}

TEST_MAIN(T(all_variants_match_reference), T(indirect_matches_reference))
