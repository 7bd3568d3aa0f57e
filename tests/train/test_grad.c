/* Finite-difference gradient checks for every training layer (conv in several shapes/paddings/
 * strides, pools, dropout, dense, relu, batchnorm) and for the softmax cross-entropy loss through
 * a whole network. Elements whose ReLU mask or max-pool argmax flips under the perturbation are
 * skipped (the function is not differentiable there). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "train/net.h"
#include "train/rng.h"

static tl_rng rng;
static float urand(float lo, float hi)
{
    if (!(rng.s[0] | rng.s[1] | rng.s[2] | rng.s[3])) tl_rng_seed(&rng, 12345);
    return lo + (hi - lo) * tl_u01f(tl_rng_next(&rng));
}

/* L = sum r .* y_l after a forward of layer 1 (layer 0 is the input reshape) */
static double layer_loss(tl_ws *ws, int n, const float *r, int train)
{
    tl_layer_forward(ws, 1, n, train);
    const tl_layer *L = &ws->net->layers[1];
    size_t sz = (size_t)n * tl_shape_size(L->out);
    double s = 0;
    for (size_t i = 0; i < sz; i++) s += (double)r[i] * ws->y[1][i];
    return s;
}

/* a fingerprint of the non-differentiable choices (relu masks, argmax) of layer 1 */
static uint64_t choice_hash(tl_ws *ws, int n)
{
    const tl_layer *L = &ws->net->layers[1];
    size_t sz = (size_t)n * tl_shape_size(L->out);
    uint64_t h = 0;
    if (L->kind == TL_LAYER_MAXPOOL2D) {
        const int32_t *a = ws->aux[1];
        for (size_t i = 0; i < sz; i++) h = tl_mix64(h ^ (uint64_t)a[i]);
    } else {
        for (size_t i = 0; i < sz; i++) h = tl_mix64(h ^ (ws->y[1][i] > 0.0f));
    }
    return h;
}

static int check_layer(const char *desc, int n, int train)
{
    char err[256];
    tl_net *net;
    if (tl_net_new(desc, &net, err, sizeof err)) {
        fprintf(stderr, "  %s: %s\n", desc, err);
        return 1;
    }
    tl_net_init(net, 7);
    tl_layer *L = &net->layers[1];
    L->need_dx = 1;
    /* non-trivial biases / BN params */
    for (size_t i = 0; i < L->nb; i++) net->params[L->b + i] = urand(-0.5f, 0.5f);
    if (L->kind == TL_LAYER_BATCHNORM)
        for (size_t i = 0; i < L->nw; i++) net->params[L->w + i] = urand(0.5f, 1.5f);
    tl_ws *ws = tl_ws_new(net, n);
    size_t isz = (size_t)n * tl_shape_size(net->input), osz = (size_t)n * tl_shape_size(L->out);
    for (size_t i = 0; i < isz; i++) ws->x[i] = urand(-1, 1);
    ws->seed = 3;
    ws->epoch = 1;
    ws->sample0 = 10;
    float *r = malloc(sizeof(float) * osz);
    for (size_t i = 0; i < osz; i++) r[i] = urand(-1, 1);
    /* analytic */
    layer_loss(ws, n, r, train);
    uint64_t h0 = choice_hash(ws, n);
    memcpy(ws->dy[1], r, sizeof(float) * osz);
    memset(ws->grads, 0, sizeof(float) * net->nparams);
    tl_layer_backward(ws, 1, n);
    float *dx = malloc(sizeof(float) * isz);
    memcpy(dx, ws->dy[0], sizeof(float) * isz);
    float *dp = malloc(sizeof(float) * (net->nparams + 1));
    memcpy(dp, ws->grads, sizeof(float) * net->nparams);

    int bad = 0, checked = 0, skipped = 0;
    const float eps = 1e-2f;
    for (int which = 0; which < 2; which++) {
        float *v = which == 0 ? ws->x : net->params;
        const float *g = which == 0 ? dx : dp;
        size_t cnt = which == 0 ? isz : net->nparams;
        size_t step = cnt > 60 ? cnt / 60 : 1;
        for (size_t i = 0; i < cnt; i += step) {
            float save = v[i];
            v[i] = save + eps;
            double lp = layer_loss(ws, n, r, train);
            uint64_t hp = choice_hash(ws, n);
            v[i] = save - eps;
            double lm = layer_loss(ws, n, r, train);
            uint64_t hm = choice_hash(ws, n);
            v[i] = save;
            if (hp != h0 || hm != h0) {
                skipped++;
                continue;
            }
            double num = (lp - lm) / (2.0 * eps);
            double tol = 2e-3 * fmax(1.0, fabs(num));
            checked++;
            if (fabs(num - g[i]) > tol) {
                if (bad < 5)
                    fprintf(stderr, "  %s: d%s[%zu]: analytic %.6g numeric %.6g\n", desc,
                            which == 0 ? "x" : "param", i, g[i], num);
                bad++;
            }
        }
    }
    if (checked < 10) {
        fprintf(stderr, "  %s: only %d elements checked (%d skipped)\n", desc, checked, skipped);
        bad++;
    }
    free(r);
    free(dx);
    free(dp);
    tl_ws_free(ws);
    tl_net_free(net);
    return bad;
}

TEST(grad_conv_valid) { EXPECT_EQ(check_layer("input:7:6:3,conv:4:3", 2, 1), 0); }
TEST(grad_conv_same_stride2) { EXPECT_EQ(check_layer("input:7:8:2,conv:5:3:same:s2", 2, 1), 0); }
TEST(grad_conv_5x3_relu) { EXPECT_EQ(check_layer("input:9:7:2,conv:3:5x3:relu", 2, 1), 0); }
TEST(grad_conv_1x1_nobias) { EXPECT_EQ(check_layer("input:4:4:6,conv:3:1:nobias", 3, 1), 0); }
TEST(grad_conv_same_even_kernel) { EXPECT_EQ(check_layer("input:6:6:2,conv:3:4:same", 2, 1), 0); }
TEST(grad_conv_many_samples) { EXPECT_EQ(check_layer("input:3:3:2,conv:2:3:same", 300, 1), 0); }
TEST(grad_conv_valid_many_samples) { EXPECT_EQ(check_layer("input:5:5:2,conv:2:3", 300, 1), 0); }
TEST(grad_conv_valid_stride2) { EXPECT_EQ(check_layer("input:9:8:2,conv:3:3:s2:relu", 2, 1), 0); }
TEST(grad_conv_1ch_wide) { EXPECT_EQ(check_layer("input:8:9:1,conv:5:2x4", 2, 1), 0); }
TEST(grad_conv_same_no_pad_needed) { EXPECT_EQ(check_layer("input:8:8:2,conv:3:2:same:s2", 2, 1), 0); }
TEST(grad_maxpool) { EXPECT_EQ(check_layer("input:6:6:3,maxpool:2", 2, 1), 0); }
TEST(grad_maxpool_border) { EXPECT_EQ(check_layer("input:7:5:3,maxpool:2", 2, 1), 0); }
TEST(grad_maxpool_overlap) { EXPECT_EQ(check_layer("input:6:7:2,maxpool:3:s1", 2, 1), 0); }
TEST(grad_maxpool_same_s1) { EXPECT_EQ(check_layer("input:5:5:2,maxpool:3:s1:same", 2, 1), 0); }
TEST(grad_avgpool) { EXPECT_EQ(check_layer("input:6:6:3,avgpool:2", 2, 1), 0); }
TEST(grad_avgpool_same) { EXPECT_EQ(check_layer("input:5:5:2,avgpool:3:s2:same", 2, 1), 0); }
TEST(grad_dropout) { EXPECT_EQ(check_layer("input:4:4:3,dropout:0.4", 3, 1), 0); }
TEST(grad_dense) { EXPECT_EQ(check_layer("input:1:1:17,dense:7", 3, 1), 0); }
TEST(grad_dense_relu) { EXPECT_EQ(check_layer("input:1:1:17,dense:9:relu", 3, 1), 0); }
TEST(grad_relu) { EXPECT_EQ(check_layer("input:4:4:3,relu", 2, 1), 0); }
TEST(grad_batchnorm_train) { EXPECT_EQ(check_layer("input:3:3:4,bn", 3, 1), 0); }
TEST(grad_batchnorm_infer) { EXPECT_EQ(check_layer("input:3:3:4,bn", 3, 0), 0); }

/* the whole network through the softmax cross-entropy loss (tests the loss and the chaining) */
static double net_loss(tl_ws *ws, int n, const uint8_t *y)
{
    tl_net_forward(ws, n, 1);
    return tl_net_loss(ws, n, y, 1.0f / n, NULL) / n;
}

/* fingerprint of every non-differentiable choice in the net (relu masks, max-pool argmax) */
static uint64_t net_choices(tl_ws *ws, int n)
{
    uint64_t h = 0;
    for (int l = 1; l < ws->net->nlayers; l++) {
        const tl_layer *L = &ws->net->layers[l];
        size_t sz = (size_t)n * tl_shape_size(L->out);
        if (L->kind == TL_LAYER_MAXPOOL2D)
            for (size_t i = 0; i < sz; i++) h = tl_mix64(h ^ (uint64_t)((int32_t *)ws->aux[l])[i]);
        else if (L->relu || L->kind == TL_LAYER_RELU)
            for (size_t i = 0; i < sz; i++) h = tl_mix64(h ^ (ws->y[l][i] > 0.0f));
    }
    return h;
}

static int check_net(const char *desc, int n)
{
    char err[256];
    tl_net *net;
    if (tl_net_new(desc, &net, err, sizeof err)) {
        fprintf(stderr, "  %s: %s\n", desc, err);
        return 1;
    }
    tl_net_init(net, 11);
    for (int l = 0; l < net->nlayers; l++)
        for (size_t i = 0; i < net->layers[l].nb; i++) net->params[net->layers[l].b + i] = urand(-0.1f, 0.1f);
    tl_ws *ws = tl_ws_new(net, n);
    size_t isz = (size_t)n * tl_shape_size(net->input);
    for (size_t i = 0; i < isz; i++) ws->x[i] = urand(0, 1);
    uint8_t y[64];
    int K = tl_net_classes(net);
    for (int i = 0; i < n; i++) y[i] = (uint8_t)(i * 7 % K);
    ws->seed = 5;
    net_loss(ws, n, y);
    uint64_t h0 = net_choices(ws, n);
    memset(ws->grads, 0, sizeof(float) * net->nparams);
    tl_net_backward(ws, n);
    float *g = malloc(sizeof(float) * net->nparams);
    memcpy(g, ws->grads, sizeof(float) * net->nparams);
    int bad = 0, checked = 0;
    const float eps = 3e-3f;
    size_t step = net->nparams > 200 ? net->nparams / 200 : 1;
    for (size_t i = 0; i < net->nparams; i += step) {
        float save = net->params[i];
        net->params[i] = save + eps;
        double lp = net_loss(ws, n, y);
        uint64_t hp = net_choices(ws, n);
        net->params[i] = save - eps;
        double lm = net_loss(ws, n, y);
        uint64_t hm = net_choices(ws, n);
        net->params[i] = save;
        if (hp != h0 || hm != h0) continue; /* crossed a kink */
        double num = (lp - lm) / (2.0 * eps);
        checked++;
        if (fabs(num - g[i]) > 1e-3 + 1e-2 * fabs(num)) {
            if (bad < 3) fprintf(stderr, "  %s: dparam[%zu]: analytic %.6g numeric %.6g\n", desc, i, g[i], num);
            bad++;
        }
    }
    free(g);
    tl_ws_free(ws);
    tl_net_free(net);
    if (checked < 20) fprintf(stderr, "  %s: only %d parameters checked\n", desc, checked);
    return bad > 0 || checked < 20;
}

TEST(grad_loss_dense) { EXPECT_EQ(check_net("input:1:1:12,dense:10", 4), 0); }
TEST(grad_small_cnn) { EXPECT_EQ(check_net("input:8:8:2,conv:3:3:relu,maxpool:2,flatten,dense:10", 4), 0); }
TEST(grad_bn_cnn) { EXPECT_EQ(check_net("input:6:6:1,conv:4:3:nobias,bn,relu,flatten,dense:5", 4), 0); }

TEST_MAIN(T(grad_conv_valid), T(grad_conv_same_stride2), T(grad_conv_5x3_relu), T(grad_conv_1x1_nobias),
          T(grad_conv_same_even_kernel), T(grad_conv_many_samples), T(grad_conv_valid_many_samples),
          T(grad_conv_valid_stride2), T(grad_conv_1ch_wide), T(grad_conv_same_no_pad_needed), T(grad_maxpool),
          T(grad_maxpool_border), T(grad_maxpool_overlap), T(grad_maxpool_same_s1),
          T(grad_avgpool), T(grad_avgpool_same), T(grad_dropout), T(grad_dense), T(grad_dense_relu), T(grad_relu),
          T(grad_batchnorm_train), T(grad_batchnorm_infer), T(grad_loss_dense), T(grad_small_cnn),
          T(grad_bn_cnn))
