/* SPDX-License-Identifier: Apache-2.0
 * A minimal read-only JSON parser for tests (the corpus' INDEX.json and MANIFEST.json): parses a
 * whole document into a tree of nodes; lookups by key and index. */
#ifndef TL_JSON_LITE_H
#define TL_JSON_LITE_H
#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct jnode {
  jtype type;
  double num;          /* J_NUM, J_BOOL (0/1) */
  char *str;           /* J_STR (unescaped), and the key when inside an object */
  char *key;
  struct jnode *child; /* first element/member */
  struct jnode *next;  /* next sibling */
  int count;           /* elements/members */
} jnode;

/* Parses text; returns NULL (and a message) on a syntax error. Free with json_free. */
jnode *json_parse(const char *text, char *err, size_t errlen);
jnode *json_load_file(const char *path, char *err, size_t errlen);
void json_free(jnode *n);
const jnode *json_get(const jnode *obj, const char *key);  /* NULL when absent */
const jnode *json_at(const jnode *arr, int i);
const char *json_str(const jnode *n, const char *def);
double json_num(const jnode *n, double def);
#endif
