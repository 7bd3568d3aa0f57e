/* MNIST idx loader tests on small hand-made files (plain and gzipped): valid files load, and bad
 * magic, truncation, trailing bytes, image/label count mismatch, bad labels and missing files
 * are rejected with messages that say what is wrong (and how to get MNIST when it is absent). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "data/mnist.h"
#include "test.h"

static char dir[256];

static void mkdir_tmp(void)
{
    snprintf(dir, sizeof dir, "/tmp/tl_mnist_test_%ld", (long)getpid());
    mkdir(dir, 0755);
}

static void rm_all(void)
{
    const char *names[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                           "t10k-labels-idx1-ubyte"};
    char p[512];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s/%s.gz", dir, names[i]);
        unlink(p);
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* writes images (n x 28 x 28) and labels (nl); extra/cut bytes; gz or plain */
static void write_set(const char *split, int n, int nl, uint32_t imagic, int cut, int extra, int gz, int badlabel)
{
    size_t ilen = 16 + (size_t)n * 784, llen = 8 + (size_t)nl;
    uint8_t *img = calloc(1, ilen + 16), *lab = calloc(1, llen + 16);
    put32(img, imagic);
    put32(img + 4, (uint32_t)n);
    put32(img + 8, 28);
    put32(img + 12, 28);
    for (size_t i = 16; i < ilen; i++) img[i] = (uint8_t)(i * 31);
    put32(lab, 0x801);
    put32(lab + 4, (uint32_t)nl);
    for (int i = 0; i < nl; i++) lab[8 + i] = (uint8_t)(i % 10);
    if (badlabel) lab[8] = 12;
    ilen = ilen - (size_t)cut + (size_t)extra;
    char p[512];
    snprintf(p, sizeof p, "%s/%s-images-idx3-ubyte%s", dir, split, gz ? ".gz" : "");
    if (gz) {
        gzFile f = gzopen(p, "wb");
        gzwrite(f, img, (unsigned)ilen);
        gzclose(f);
    } else {
        FILE *f = fopen(p, "wb");
        fwrite(img, 1, ilen, f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s/%s-labels-idx1-ubyte", dir, split);
    FILE *f = fopen(p, "wb");
    fwrite(lab, 1, llen, f);
    fclose(f);
    free(img);
    free(lab);
}

TEST(loads_plain_and_gzip)
{
    mkdir_tmp();
    for (int gz = 0; gz < 2; gz++) {
        rm_all();
        write_set("t10k", 5, 5, 0x803, 0, 0, gz, 0);
        tl_mnist m;
        char err[512] = "";
        EXPECT_EQ(tl_mnist_load(dir, "t10k", &m, err, sizeof err), 0);
        EXPECT_EQ(m.count, 5);
        EXPECT_EQ(m.rows, 28);
        EXPECT_EQ(m.cols, 28);
        if (m.images) EXPECT_EQ(m.images[0], (uint8_t)(16 * 31));
        if (m.labels) EXPECT_EQ(m.labels[3], 3);
        tl_mnist_free(&m);
        tl_mnist_free(&m); /* idempotent */
    }
    rm_all();
}

static void expect_error(const char *what, const char *needle)
{
    tl_mnist m;
    char err[512] = "";
    int rc = tl_mnist_load(dir, "t10k", &m, err, sizeof err);
    if (rc == 0) {
        fprintf(stderr, "  %s: expected an error\n", what);
        tl_test_failed_now = 1;
    }
    EXPECT_STR_CONTAINS(err, needle);
    EXPECT(m.images == NULL && m.count == 0);
    tl_mnist_free(&m);
}

TEST(rejects_bad_magic)
{
    mkdir_tmp();
    rm_all();
    write_set("t10k", 3, 3, 0x0803 | 0x10000, 0, 0, 0, 0);
    expect_error("bad magic", "bad idx magic");
    rm_all();
    write_set("t10k", 3, 3, 0x0801, 0, 0, 1, 0);
    expect_error("wrong ndim", "dimensions");
    rm_all();
}

TEST(rejects_truncated_and_trailing)
{
    mkdir_tmp();
    rm_all();
    write_set("t10k", 3, 3, 0x803, 100, 0, 0, 0);
    expect_error("truncated", "truncated");
    rm_all();
    write_set("t10k", 3, 3, 0x803, 100, 0, 1, 0);
    expect_error("truncated gz", "truncated");
    rm_all();
    write_set("t10k", 3, 3, 0x803, 0, 7, 0, 0);
    expect_error("trailing", "trailing");
    rm_all();
    write_set("t10k", 3, 3, 0x803, 3 * 784 + 4, 0, 0, 0);
    expect_error("header cut", "truncated");
    rm_all();
}

TEST(rejects_corrupt_gzip)
{
    mkdir_tmp();
    rm_all();
    write_set("t10k", 3, 3, 0x803, 0, 0, 1, 0);
    char p[512];
    snprintf(p, sizeof p, "%s/t10k-images-idx3-ubyte.gz", dir);
    FILE *f = fopen(p, "wb");
    const uint8_t junk[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3};
    fwrite(junk, 1, sizeof junk, f);
    fclose(f);
    tl_mnist m;
    char err[512] = "";
    EXPECT(tl_mnist_load(dir, "t10k", &m, err, sizeof err) != 0);
    EXPECT_STR_CONTAINS(err, "gzip");
    rm_all();
}

TEST(rejects_count_mismatch_and_labels)
{
    mkdir_tmp();
    rm_all();
    write_set("t10k", 4, 3, 0x803, 0, 0, 0, 0);
    expect_error("count mismatch", "labels");
    rm_all();
    write_set("t10k", 3, 3, 0x803, 0, 0, 0, 1);
    expect_error("bad label", "label 0 is 12");
    rm_all();
}

TEST(missing_files_say_how_to_get_mnist)
{
    mkdir_tmp();
    rm_all();
    expect_error("missing", "scripts/get_mnist.sh");
    tl_mnist m;
    char err[512] = "";
    EXPECT(tl_mnist_load("/nonexistent/dir", "train", &m, err, sizeof err) != 0);
    EXPECT_STR_CONTAINS(err, "get_mnist.sh");
    EXPECT(tl_mnist_load(dir, "valid", &m, err, sizeof err) != 0);
    EXPECT_STR_CONTAINS(err, "split");
    rmdir(dir);
}

TEST(real_mnist_if_present)
{
    const char *def = getenv("TL_MNIST_DEFAULT");
    const char *env = getenv("MNIST_DIR");
    const char *d = env && *env ? env : def;
    struct stat st;
    if (!d || stat(d, &st) != 0) {
        if (getenv("CI") && !strcmp(getenv("CI"), "true")) {
            fprintf(stderr, "  MNIST not found (set MNIST_DIR) and CI=true\n");
            tl_test_failed_now = 1;
            return;
        }
        SKIP("MNIST not found (set MNIST_DIR)");
    }
    tl_mnist m;
    char err[512] = "";
    EXPECT_EQ(tl_mnist_load(d, "t10k", &m, err, sizeof err), 0);
    EXPECT_EQ(m.count, 10000);
    if (m.labels) EXPECT_EQ(m.labels[0], 7); /* the famous first test digit */
    tl_mnist_free(&m);
}

TEST_MAIN(T(loads_plain_and_gzip), T(rejects_bad_magic), T(rejects_truncated_and_trailing), T(rejects_corrupt_gzip),
          T(rejects_count_mismatch_and_labels), T(missing_files_say_how_to_get_mnist), T(real_mnist_if_present))
