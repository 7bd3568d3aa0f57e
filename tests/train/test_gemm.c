/* The trainer's SGEMM against the plain triple loop, for every kernel variant this CPU runs,
 * at tile edges (M, N, K below/at/above the register tile and the cache blocks) and with every
 * transposition the layers use (strided A and B), both overwrite and accumulate. */
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "train/gemm.h"

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

TEST_MAIN(T(all_variants_match_reference))
