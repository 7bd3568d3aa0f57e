/* Trainer tests: bit-identical weights from two runs with a fixed seed (1 and 2 threads), a
 * checkpoint resume (mid-epoch and between epochs) equal to an uninterrupted run, corrupt
 * checkpoints rejected, the exported .tflite read back by the tinylite runtime with the same
 * predictions, and (with MNIST) a short run that must learn (> 90% test accuracy). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "tinylite.h"
#include "train/rng.h"
#include "train/train.h"

/* synthetic 28x28 "digits": class k = a bright bar at a class-dependent place, plus noise */
static void synth(tl_mnist *m, int n, uint64_t seed)
{
    m->count = n;
    m->rows = m->cols = 28;
    m->images = malloc((size_t)n * 784);
    m->labels = malloc((size_t)n);
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        int k = (int)tl_rng_below(&r, 10);
        m->labels[i] = (uint8_t)k;
        uint8_t *im = m->images + (size_t)i * 784;
        for (int p = 0; p < 784; p++) im[p] = (uint8_t)tl_rng_below(&r, 60);
        for (int y = 2 + 2 * k; y < 5 + 2 * k; y++)
            for (int x = 4; x < 24; x++) im[y * 28 + x] = 255;
    }
}

static tl_train_config small_cfg(void)
{
    tl_train_config c;
    tl_train_config_default(&c);
    snprintf(c.net, sizeof c.net, "conv:4:3:relu,maxpool:2,dropout:0.2,flatten,dense:10");
    c.epochs = 2;
    c.batch = 16;
    c.seed = 42;
    c.augment = 1;
    return c;
}

static tl_trainer *run(const tl_train_config *c, int threads, const tl_mnist *d)
{
    char err[256];
    tl_trainer *t;
    if (tl_trainer_new(c, threads, &t, err, sizeof err)) {
        fprintf(stderr, "  %s\n", err);
        return NULL;
    }
    while (!tl_trainer_done(t)) {
        if (tl_trainer_run_epoch(t, d, NULL, NULL, NULL, err, sizeof err) != 0) {
            fprintf(stderr, "  %s\n", err);
            tl_trainer_free(t);
            return NULL;
        }
        tl_trainer_end_epoch(t, 0, 0);
    }
    return t;
}

static int same_params(tl_trainer *a, tl_trainer *b)
{
    tl_net *x = tl_trainer_net(a), *y = tl_trainer_net(b);
    return x->nparams == y->nparams && memcmp(x->params, y->params, sizeof(float) * x->nparams) == 0;
}

TEST(deterministic_one_and_two_threads)
{
    tl_mnist d;
    synth(&d, 600, 1);
    tl_train_config c = small_cfg();
    for (int th = 1; th <= 2; th++) {
        tl_trainer *a = run(&c, th, &d), *b = run(&c, th, &d);
        EXPECT(a && b);
        if (a && b) EXPECT(same_params(a, b));
        tl_trainer_free(a);
        tl_trainer_free(b);
    }
    /* a different seed gives different weights */
    tl_train_config c2 = c;
    c2.seed = 43;
    tl_trainer *a = run(&c, 1, &d), *b = run(&c2, 1, &d);
    if (a && b) EXPECT(!same_params(a, b));
    tl_trainer_free(a);
    tl_trainer_free(b);
    /* BatchNorm synchronises batch statistics across threads: also deterministic */
    snprintf(c.net, sizeof c.net, "conv:4:3:nobias,bn,relu,maxpool:2,flatten,dense:10");
    a = run(&c, 2, &d);
    b = run(&c, 2, &d);
    if (a && b) EXPECT(same_params(a, b));
    tl_trainer_free(a);
    tl_trainer_free(b);
    tl_mnist_free(&d);
}

static volatile sig_atomic_t stop_flag;
static int steps_seen;
static void stop_after(void *user, const tl_progress *p)
{
    (void)p;
    if (++steps_seen == *(int *)user) stop_flag = 1;
}

TEST(resume_equals_uninterrupted)
{
    tl_mnist d;
    synth(&d, 500, 2);
    tl_train_config c = small_cfg();
    c.epochs = 3;
    tl_trainer *ref = run(&c, 1, &d);
    char path[256], err[256];
    snprintf(path, sizeof path, "/tmp/tl_train_test_%ld.ckpt", (long)getpid());

    /* interrupted mid-epoch 1 (Ctrl-C), then again between epochs (kill -9 after the epoch's save) */
    tl_trainer *t;
    EXPECT_EQ(tl_trainer_new(&c, 1, &t, err, sizeof err), 0);
    int stop_at = 7;
    stop_flag = 0;
    steps_seen = 0;
    EXPECT_EQ(tl_trainer_run_epoch(t, &d, &stop_flag, stop_after, &stop_at, err, sizeof err), 1);
    EXPECT_EQ(tl_trainer_save(t, path, err, sizeof err), 0);
    tl_trainer_free(t);
    EXPECT_EQ(tl_trainer_load(path, 1, &t, err, sizeof err), 0);
    if (!t) return;
    EXPECT_EQ(tl_trainer_step_in_epoch(t), 7);
    stop_flag = 0;
    EXPECT_EQ(tl_trainer_run_epoch(t, &d, &stop_flag, NULL, NULL, err, sizeof err), 0);
    tl_trainer_end_epoch(t, 0, 0);
    EXPECT_EQ(tl_trainer_save(t, path, err, sizeof err), 0);
    /* some progress that is lost, as with kill -9 */
    EXPECT_EQ(tl_trainer_run_epoch(t, &d, NULL, NULL, NULL, err, sizeof err), 0);
    tl_trainer_free(t);
    EXPECT_EQ(tl_trainer_load(path, 1, &t, err, sizeof err), 0);
    if (!t) return;
    EXPECT_EQ(tl_trainer_epoch(t), 1);
    while (!tl_trainer_done(t)) {
        EXPECT_EQ(tl_trainer_run_epoch(t, &d, NULL, NULL, NULL, err, sizeof err), 0);
        tl_trainer_end_epoch(t, 0, 0);
    }
    if (ref) EXPECT(same_params(ref, t));
    const tl_epoch_stats *h;
    EXPECT_EQ(tl_trainer_history(t, &h), 3);
    tl_trainer_free(t);
    tl_trainer_free(ref);
    unlink(path);
    tl_mnist_free(&d);
}

TEST(corrupt_checkpoints_rejected)
{
    tl_mnist d;
    synth(&d, 64, 3);
    tl_train_config c = small_cfg();
    c.epochs = 1;
    tl_trainer *t = run(&c, 1, &d);
    char path[256], err[256];
    snprintf(path, sizeof path, "/tmp/tl_train_test_c_%ld.ckpt", (long)getpid());
    EXPECT_EQ(tl_trainer_save(t, path, err, sizeof err), 0);
    tl_trainer_free(t);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    EXPECT_EQ(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    struct { long off; int cut; const char *needle; } cases[] = {
        {n / 2, 0, "CRC"}, {0, 0, "magic"}, {8, 0, "version"}, {0, 100, "truncated"}};
    for (int i = 0; i < 4; i++) {
        uint8_t *b = malloc((size_t)n);
        memcpy(b, buf, (size_t)n);
        if (!cases[i].cut) b[cases[i].off] ^= 0x5a;
        f = fopen(path, "wb");
        fwrite(b, 1, (size_t)(n - cases[i].cut), f);
        fclose(f);
        err[0] = 0;
        EXPECT(tl_trainer_load(path, 1, &t, err, sizeof err) != 0);
        EXPECT(t == NULL);
        EXPECT_STR_CONTAINS(err, cases[i].needle);
        free(b);
    }
    EXPECT(tl_trainer_load("/nonexistent.ckpt", 1, &t, err, sizeof err) != 0);
    free(buf);
    unlink(path);
    tl_mnist_free(&d);
}

TEST(export_round_trips_through_reader)
{
    tl_mnist d;
    synth(&d, 200, 4);
    tl_train_config c = small_cfg();
    snprintf(c.net, sizeof c.net, "conv:6:3:relu,conv:8:3:relu,maxpool:2,dropout:0.25,flatten,dense:10");
    c.epochs = 1;
    tl_trainer *t = run(&c, 1, &d);
    if (!t) return;
    char path[256], err[512];
    snprintf(path, sizeof path, "/tmp/tl_train_test_%ld.tflite", (long)getpid());
    int rc = tl_train_export_tflite(tl_trainer_net(t), path, err, sizeof err);
    if (rc != 0 && strstr(err, "no .tflite writer")) {
        tl_trainer_free(t);
        tl_mnist_free(&d);
        SKIP("built without the .tflite writer");
    }
    EXPECT_EQ(rc, 0);
    tl_model *m = NULL;
    tl_interp *ip = NULL;
    EXPECT_EQ(tl_model_open(path, &m, err, sizeof err), TL_OK);
    EXPECT_EQ(tl_interp_new(m, NULL, &ip), TL_OK);
    EXPECT_EQ(tl_interp_allocate(ip), TL_OK);
    if (!ip) return;
    tl_tensor *in = tl_interp_input(ip, 0), *out = tl_interp_output(ip, 0);
    EXPECT_EQ(tl_tensor_ndim(in), 3);
    EXPECT_EQ(tl_tensor_count(out), 10);
    /* our forward pass, eval mode */
    tl_net *net = tl_trainer_net(t);
    tl_ws *ws = tl_ws_new(net, 1);
    int agree = 0;
    double maxd = 0;
    for (int i = 0; i < 50; i++) {
        float x[784];
        for (int p = 0; p < 784; p++) x[p] = d.images[(size_t)i * 784 + p] / 255.0f;
        memcpy(ws->x, x, sizeof x);
        tl_net_forward(ws, 1, 0);
        tl_net_loss(ws, 1, NULL, 0, NULL);
        tl_tensor_copy_from(in, x, sizeof x);
        EXPECT_EQ(tl_interp_invoke(ip), TL_OK);
        const float *p = tl_tensor_data(out);
        int a = 0, b = 0;
        for (int k = 0; k < 10; k++) {
            double dd = fabs((double)p[k] - ws->probs[k]);
            if (dd > maxd) maxd = dd;
            if (p[k] > p[a]) a = k;
            if (ws->probs[k] > ws->probs[b]) b = k;
        }
        agree += a == b;
    }
    EXPECT_EQ(agree, 50);
    EXPECT(maxd < 1e-4);
    tl_ws_free(ws);
    tl_interp_free(ip);
    tl_model_close(m);
    unlink(path);
    tl_trainer_free(t);
    tl_mnist_free(&d);
}

TEST(learns_mnist_quickly)
{
    const char *def = getenv("TL_MNIST_DEFAULT"), *env = getenv("MNIST_DIR");
    const char *dir = env && *env ? env : def ? def : "../shared/data/mnist";
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (getenv("CI") && !strcmp(getenv("CI"), "true")) {
            fprintf(stderr, "  MNIST not found at %s (set MNIST_DIR) and CI=true\n", dir);
            tl_test_failed_now = 1;
            return;
        }
        SKIP("MNIST not found at %s (set MNIST_DIR)", dir);
    }
    tl_mnist tr, te;
    char err[512];
    if (tl_mnist_load(dir, "train", &tr, err, sizeof err) || tl_mnist_load(dir, "t10k", &te, err, sizeof err)) {
        fprintf(stderr, "  %s\n", err);
        tl_test_failed_now = 1;
        return;
    }
    tl_train_config c;
    tl_train_config_default(&c);
    snprintf(c.net, sizeof c.net, "small");
    c.epochs = 1;
    c.warmup_epochs = 0; /* the default one-epoch warm-up would take the whole run */
    c.train_limit = 15000;
    tl_trainer *t = run(&c, 2, &tr);
    double loss = 0, acc = 0;
    if (t) EXPECT_EQ(tl_trainer_evaluate(t, &te, 0, &loss, &acc, err, sizeof err), 0);
    printf("  small net, 15000 images, 1 epoch: test accuracy %.2f%%\n", 100 * acc);
    EXPECT(acc > 0.90);
    tl_trainer_free(t);
    tl_mnist_free(&tr);
    tl_mnist_free(&te);
}

TEST_MAIN(T(deterministic_one_and_two_threads), T(resume_equals_uninterrupted), T(corrupt_checkpoints_rejected),
          T(export_round_trips_through_reader), T(learns_mnist_quickly))
