/* SPDX-License-Identifier: Apache-2.0
 * The WebAssembly export layer of the app: load a .tflite from bytes, preprocess a canvas's RGBA
 * pixels with src/preprocess (the CLI's code), run the model, hand back probabilities and timings. */
#include <emscripten.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess/digit.h"
#include "preprocess/digit_model.h"
#include "tinylite.h"

#define MAX_SLOTS 8

/* One loaded model. The model borrows `bytes` (zero copy), so they live as long as the slot. */
typedef struct {
  uint8_t *bytes;
  tl_model *model;
  tl_interp *ip;
  float probs[10];
  float image[TL_DIGIT_PIXELS];   /* the 28x28 image the model saw, 0..1 */
  double pre_ms, invoke_ms;       /* timings of the last classify */
} slot;

static slot slots[MAX_SLOTS];
static char last_error[512];
static uint8_t *gray_buf;
static size_t gray_cap;

EMSCRIPTEN_KEEPALIVE int tlw_run(int s);

static slot *get(int s) { return (s >= 0 && s < MAX_SLOTS && slots[s].ip) ? &slots[s] : NULL; }

/* Buffers the JS side fills (model bytes, canvas pixels), 16-byte aligned so a model's constant
 * tensors are used in place (tl_model_from_memory copies misaligned ones). */
EMSCRIPTEN_KEEPALIVE void *tlw_malloc(int n) {
  return n > 0 ? aligned_alloc(16, ((size_t)n + 15) & ~(size_t)15) : NULL;
}
EMSCRIPTEN_KEEPALIVE void tlw_free(void *p) { free(p); }

/* The last error message ("" when none). */
EMSCRIPTEN_KEEPALIVE const char *tlw_error(void) { return last_error; }

EMSCRIPTEN_KEEPALIVE void tlw_unload(int s) {
  if (s < 0 || s >= MAX_SLOTS) return;
  tl_interp_free(slots[s].ip);
  tl_model_close(slots[s].model);
  free(slots[s].bytes);
  memset(&slots[s], 0, sizeof slots[s]);
}

/* Loads a model from `bytes` (n bytes from tlw_malloc; ownership passes to the slot, also on
 * failure). Returns a slot number >= 0, or -1 with tlw_error() saying why. */
EMSCRIPTEN_KEEPALIVE int tlw_load(uint8_t *bytes, int n) {
  last_error[0] = 0;
  int s = 0;
  while (s < MAX_SLOTS && slots[s].bytes) s++;
  if (s == MAX_SLOTS || !bytes || n <= 0) {
    snprintf(last_error, sizeof last_error, "%s", s == MAX_SLOTS ? "too many models loaded" : "no model data");
    free(bytes);
    return -1;
  }
  slot *sl = &slots[s];
  sl->bytes = bytes;
  tl_status st = tl_model_from_memory(bytes, (size_t)n, &sl->model, last_error, sizeof last_error);
  if (st == TL_OK) st = tl_interp_new(sl->model, NULL, &sl->ip);
  if (st == TL_OK) {
    st = tl_interp_allocate(sl->ip);
    if (st) snprintf(last_error, sizeof last_error, "%s", tl_interp_errmsg(sl->ip));
  }
  if (st == TL_OK) {
    char err[256];
    float blank[TL_DIGIT_PIXELS] = {0};
    /* Check the input and output fit a digit classifier now, not at the first drawing. */
    if (tl_digit_set_input(tl_interp_input(sl->ip, 0), blank, TL_DIGIT_NORM_UNIT, err, sizeof err)) {
      snprintf(last_error, sizeof last_error, "%s", err);
      st = TL_ERR_UNSUPPORTED;
    } else if (tl_interp_invoke(sl->ip) != TL_OK) {
      snprintf(last_error, sizeof last_error, "%s", tl_interp_errmsg(sl->ip));
      st = TL_ERR_RUNTIME;
    } else if (tl_digit_probabilities(tl_interp_output(sl->ip, 0), sl->probs) < 0) {
      snprintf(last_error, sizeof last_error, "the model's output is not 10 classes");
      st = TL_ERR_UNSUPPORTED;
    }
  }
  if (st != TL_OK) {
    if (!last_error[0]) snprintf(last_error, sizeof last_error, "%s", tl_status_str(st));
    tlw_unload(s);
    return -1;
  }
  return s;
}

/* Runs the model on what the image holds now: RGBA pixels (w x h, rows packed) -> gray -> 28x28.
 * Returns the digit 0..9, -1 when the drawing is empty ("draw a digit"), -2 on error (tlw_error). */
EMSCRIPTEN_KEEPALIVE int tlw_classify_rgba(int s, const uint8_t *rgba, int w, int h) {
  slot *sl = get(s);
  last_error[0] = 0;
  if (!sl || !rgba || w < 1 || h < 1 || w > 8192 || h > 8192) {
    snprintf(last_error, sizeof last_error, "bad arguments");
    return -2;
  }
  double t0 = emscripten_get_now();
  size_t need = (size_t)w * (size_t)h;
  if (need > gray_cap) {
    free(gray_buf);
    gray_buf = malloc(need);
    gray_cap = gray_buf ? need : 0;
    if (!gray_buf) {
      snprintf(last_error, sizeof last_error, "out of memory");
      return -2;
    }
  }
  tl_digit_rgba_to_gray(rgba, w, h, (size_t)w * 4, gray_buf);
  tl_digit_result r = tl_digit_prepare(gray_buf, w, h, (size_t)w, NULL, sl->image, NULL, NULL);
  double t1 = emscripten_get_now();
  sl->pre_ms = t1 - t0;
  sl->invoke_ms = 0;
  memset(sl->probs, 0, sizeof sl->probs);
  if (r == TL_DIGIT_EMPTY) return -1;
  if (r != TL_DIGIT_OK) {
    snprintf(last_error, sizeof last_error, "preprocessing failed");
    return -2;
  }
  return tlw_run(s);
}

/* Runs the model on the slot's current 28x28 image (also used to time a model on a fixed digit). */
EMSCRIPTEN_KEEPALIVE int tlw_run(int s) {
  slot *sl = get(s);
  if (!sl) return -2;
  char err[256];
  double t0 = emscripten_get_now();
  if (tl_digit_set_input(tl_interp_input(sl->ip, 0), sl->image, TL_DIGIT_NORM_UNIT, err, sizeof err)) {
    snprintf(last_error, sizeof last_error, "%s", err);
    return -2;
  }
  if (tl_interp_invoke(sl->ip) != TL_OK) {
    snprintf(last_error, sizeof last_error, "%s", tl_interp_errmsg(sl->ip));
    return -2;
  }
  int best = tl_digit_probabilities(tl_interp_output(sl->ip, 0), sl->probs);
  sl->invoke_ms = emscripten_get_now() - t0;
  if (best < 0) snprintf(last_error, sizeof last_error, "the model's output is not 10 classes");
  return best < 0 ? -2 : best;
}

/* Results of the last classify: 10 probabilities, the 784-pixel image, timings in milliseconds. */
EMSCRIPTEN_KEEPALIVE float *tlw_probs(int s) { return get(s) ? slots[s].probs : NULL; }
EMSCRIPTEN_KEEPALIVE float *tlw_image(int s) { return get(s) ? slots[s].image : NULL; }
EMSCRIPTEN_KEEPALIVE double tlw_pre_ms(int s) { return get(s) ? slots[s].pre_ms : 0; }
EMSCRIPTEN_KEEPALIVE double tlw_invoke_ms(int s) { return get(s) ? slots[s].invoke_ms : 0; }
/* The model's input type name ("FLOAT32", "INT8"...) for display. */
EMSCRIPTEN_KEEPALIVE const char *tlw_input_type(int s) {
  return get(s) ? tl_type_name(tl_tensor_type(tl_interp_input(slots[s].ip, 0))) : "";
}
/* Bytes of tensor arena the interpreter planned. */
EMSCRIPTEN_KEEPALIVE int tlw_arena_bytes(int s) { return get(s) ? (int)tl_interp_arena_used(slots[s].ip) : 0; }
