/* SPDX-License-Identifier: Apache-2.0
 * Interpreter behaviour: API misuse gives errors, one model serves interpreters on several threads,
 * invoke allocates nothing (malloc is wrapped and counted) and memory stays flat over 100,000
 * invokes, caller-supplied arenas, and the arena plan of the tutorial CNN. */
#include <pthread.h>
#include <stdint.h>

#include "test.h"
#include "tinylite.h"

/* Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free: counts heap calls. */
void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
static volatile long heap_calls;
void *__wrap_malloc(size_t n) { __atomic_add_fetch(&heap_calls, 1, __ATOMIC_RELAXED); return __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { __atomic_add_fetch(&heap_calls, 1, __ATOMIC_RELAXED); return __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { __atomic_add_fetch(&heap_calls, 1, __ATOMIC_RELAXED); return __real_realloc(p, n); }

static tl_model *open_corpus(const char *corpus, const char *name) {
  char path[2048], err[512];
  snprintf(path, sizeof path, "%s/models/%s", corpus, name);
  tl_model *m = NULL;
  if (tl_model_open(path, &m, err, sizeof err)) fprintf(stderr, "  %s\n", err);
  return m;
}

TEST(api_misuse_is_an_error) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  tl_model *m = open_corpus(corpus, "hello_world_float-float-tensorflow.tflite");
  EXPECT(m != NULL);
  if (!m) return;
  tl_interp *ip;
  EXPECT(tl_interp_new(NULL, NULL, &ip) == TL_ERR_ARG);
  EXPECT(tl_interp_new(m, NULL, &ip) == TL_OK);
  EXPECT(tl_interp_invoke(ip) == TL_ERR_STATE);
  EXPECT_STR_CONTAINS(tl_interp_errmsg(ip), "before tl_interp_allocate");
  EXPECT(tl_interp_allocate(ip) == TL_OK);
  tl_tensor *in = tl_interp_input(ip, 0);
  float x[2] = {0};
  EXPECT(tl_tensor_copy_from(in, x, sizeof x) == TL_ERR_ARG); /* wrong size */
  EXPECT(tl_tensor_copy_from(in, x, sizeof x[0]) == TL_OK);
  EXPECT(tl_interp_input(ip, 5) == NULL);
  EXPECT(tl_interp_output(ip, -1) == NULL);
  EXPECT(tl_interp_input_by_name(ip, "no such tensor") == NULL);
  EXPECT(tl_interp_resize_input(ip, 3, 1, (int32_t[]){1}) == TL_ERR_ARG);
  EXPECT(tl_interp_invoke(ip) == TL_OK);
  tl_interp_free(ip);
  tl_interp_free(NULL);
  tl_model_close(m);
  tl_model_close(NULL);
}

TEST(lookup_by_name_and_signature) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  tl_model *m = open_corpus(corpus, "mnist-cnn-float-wcisang.tflite");
  EXPECT(m != NULL);
  if (!m) return;
  tl_interp *ip;
  EXPECT(tl_interp_new(m, NULL, &ip) == TL_OK);
  EXPECT(tl_interp_allocate(ip) == TL_OK);
  EXPECT(tl_interp_input_by_name(ip, "conv2d_input") == tl_interp_input(ip, 0));
  EXPECT(tl_interp_output_by_name(ip, "Identity") == tl_interp_output(ip, 0));
  tl_interp_free(ip);
  tl_model_close(m);
}

typedef struct {
  tl_model *m;
  const float *input;
  float out[10];
  int rounds;
  tl_status st;
} worker_job;

static void *worker(void *arg) {
  worker_job *j = arg;
  tl_interp *ip;
  j->st = tl_interp_new(j->m, NULL, &ip);
  if (j->st) return NULL;
  if ((j->st = tl_interp_allocate(ip))) goto done;
  for (int r = 0; r < j->rounds && !j->st; r++) {
    tl_tensor_copy_from(tl_interp_input(ip, 0), j->input, 784 * sizeof(float));
    j->st = tl_interp_invoke(ip);
    tl_tensor_copy_to(tl_interp_output(ip, 0), j->out, sizeof j->out);
  }
done:
  tl_interp_free(ip);
  return NULL;
}

TEST(one_model_many_threads) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  tl_model *m = open_corpus(corpus, "mnist-cnn-float-edgeaiwithrtt.tflite");
  EXPECT(m != NULL);
  if (!m) return;
  enum { N = 4 };
  static float inputs[N][784];
  worker_job jobs[N], ref[N];
  for (int t = 0; t < N; t++)
    for (int i = 0; i < 784; i++) inputs[t][i] = (float)((i * (t + 3)) % 17) / 16.f;
  for (int t = 0; t < N; t++) { /* expected results, one at a time */
    ref[t] = (worker_job){m, inputs[t], {0}, 1, TL_OK};
    worker(&ref[t]);
    EXPECT(ref[t].st == TL_OK);
  }
  pthread_t th[N];
  for (int t = 0; t < N; t++) {
    jobs[t] = (worker_job){m, inputs[t], {0}, 200, TL_OK};
    pthread_create(&th[t], NULL, worker, &jobs[t]);
  }
  for (int t = 0; t < N; t++) {
    pthread_join(th[t], NULL);
    EXPECT(jobs[t].st == TL_OK);
    EXPECT(!memcmp(jobs[t].out, ref[t].out, sizeof ref[t].out));
  }
  tl_model_close(m);
}

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, res = 0;
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
    fclose(f);
  }
  return res * 4;
}

TEST(invoke_allocates_nothing_and_memory_stays_flat) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  const char *models[] = {"hello_world_float-float-tensorflow.tflite", "hello_world_int8-int8-tensorflow.tflite",
                          "mnist-cnn-float-edgeaiwithrtt.tflite"};
  for (int k = 0; k < 3; k++) {
    tl_model *m = open_corpus(corpus, models[k]);
    EXPECT(m != NULL);
    if (!m) continue;
    tl_interp *ip;
    tl_interp_options o = {.num_threads = k == 2 ? 2 : 1};
    EXPECT(tl_interp_new(m, &o, &ip) == TL_OK);
    EXPECT(tl_interp_allocate(ip) == TL_OK);
    int rounds = k == 2 ? 10000 : 100000;
    long rss0 = 0;
    long calls0 = heap_calls;
    for (int r = 0; r < rounds; r++) {
      if (tl_interp_invoke(ip)) {
        fprintf(stderr, "  %s: %s\n", models[k], tl_interp_errmsg(ip));
        tl_test_failed_now = 1;
        break;
      }
      if (r == 100) rss0 = rss_kb();
    }
    long calls = heap_calls - calls0, rss1 = rss_kb();
    printf("  %s: %d invokes, %ld heap calls, RSS %ld -> %ld KB\n", models[k], rounds, calls, rss0, rss1);
    EXPECT_EQ(calls, 0);
    EXPECT(rss1 - rss0 < 256);
    tl_interp_free(ip);
    tl_model_close(m);
  }
}

TEST(caller_arena) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  tl_model *m = open_corpus(corpus, "mnist-cnn-float-edgeaiwithrtt.tflite");
  EXPECT(m != NULL);
  if (!m) return;
  tl_interp *ip;
  EXPECT(tl_interp_new(m, NULL, &ip) == TL_OK);
  EXPECT(tl_interp_allocate(ip) == TL_OK);
  size_t need = tl_interp_arena_used(ip);
  float ref[10];
  tl_interp_invoke(ip);
  tl_tensor_copy_to(tl_interp_output(ip, 0), ref, sizeof ref);
  tl_interp_free(ip);
  /* Exactly the measured size works (plus slack for aligning the start); a byte less fails cleanly. */
  unsigned char *arena = malloc(need + 16);
  tl_interp_options o = {.num_threads = 1, .arena = arena, .arena_size = need + 16};
  EXPECT(tl_interp_new(m, &o, &ip) == TL_OK);
  EXPECT(tl_interp_allocate(ip) == TL_OK);
  float out[10];
  EXPECT(tl_interp_invoke(ip) == TL_OK);
  tl_tensor_copy_to(tl_interp_output(ip, 0), out, sizeof out);
  EXPECT(!memcmp(out, ref, sizeof ref));
  tl_interp_free(ip);
  o.arena = (unsigned char *)(((uintptr_t)arena + 15) & ~(uintptr_t)15);
  o.arena_size = need - 1;
  EXPECT(tl_interp_new(m, &o, &ip) == TL_OK);
  EXPECT(tl_interp_allocate(ip) == TL_ERR_NOMEM);
  EXPECT_STR_CONTAINS(tl_interp_errmsg(ip), "bytes");
  tl_interp_free(ip);
  free(arena);
  tl_model_close(m);
}

/* The tutorial CNN (the Keras network of the TFLite digit tutorial) keeps at most two activations
 * alive at once: conv1's output (26x26x32 floats) while conv2 (24x24x64) is computed. */
TEST(tutorial_cnn_arena_is_two_activations) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  tl_model *m = open_corpus(corpus, "mnist-cnn-float-u8in-alankrantas.tflite");
  EXPECT(m != NULL);
  if (!m) return;
  tl_interp *ip;
  EXPECT(tl_interp_new(m, NULL, &ip) == TL_OK);
  EXPECT(tl_interp_allocate(ip) == TL_OK);
  size_t two = (26 * 26 * 32 + 24 * 24 * 64) * sizeof(float);
  printf("  activations %zu bytes, two largest live activations %zu\n", tl_interp_arena_activations(ip), two);
  EXPECT(tl_interp_arena_activations(ip) <= two + 64);
  tl_interp_free(ip);
  tl_model_close(m);
}

/* With preserve_inputs (TensorFlow Lite's behaviour) an input set once serves repeated invokes. */
TEST(preserved_inputs_survive_invoke) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  tl_model *m = open_corpus(corpus, "mnist-cnn-float-u8in-alankrantas.tflite");
  EXPECT(m != NULL);
  if (!m) return;
  tl_interp_options o = {.preserve_inputs = 1};
  tl_interp *ip;
  EXPECT(tl_interp_new(m, &o, &ip) == TL_OK);
  EXPECT(tl_interp_allocate(ip) == TL_OK);
  uint8_t img[784];
  for (int i = 0; i < 784; i++) img[i] = (uint8_t)((i * 37) % 251);
  EXPECT(tl_tensor_copy_from(tl_interp_input(ip, 0), img, sizeof img) == TL_OK);
  float a[10], b[10];
  EXPECT(tl_interp_invoke(ip) == TL_OK);
  tl_tensor_copy_to(tl_interp_output(ip, 0), a, sizeof a);
  EXPECT(!memcmp(tl_tensor_data(tl_interp_input(ip, 0)), img, sizeof img));
  EXPECT(tl_interp_invoke(ip) == TL_OK);
  tl_tensor_copy_to(tl_interp_output(ip, 0), b, sizeof b);
  EXPECT(!memcmp(a, b, sizeof a));
  tl_interp_free(ip);
  tl_model_close(m);
}

TEST_MAIN(T(api_misuse_is_an_error), T(preserved_inputs_survive_invoke), T(lookup_by_name_and_signature), T(one_model_many_threads),
          T(invoke_allocates_nothing_and_memory_stays_flat), T(caller_arena), T(tutorial_cnn_arena_is_two_activations))
