/* SPDX-License-Identifier: Apache-2.0
 * Minimal recursive-descent JSON parser for the tests (see json_lite.h). */
#include "json_lite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *p;
  char *err;
  size_t errlen;
  int depth;
} parser;

static void ws(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t') ps->p++;
}

static jnode *bad(parser *ps, const char *what) {
  if (ps->err && ps->errlen) snprintf(ps->err, ps->errlen, "json: %s near '%.20s'", what, ps->p);
  return NULL;
}

static char *parse_string(parser *ps) {
  if (*ps->p != '"') return NULL;
  ps->p++;
  size_t cap = 16, n = 0;
  char *s = malloc(cap);
  while (s && *ps->p && *ps->p != '"') {
    char c = *ps->p++;
    if (c == '\\') {
      c = *ps->p++;
      switch (c) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u': {
          unsigned v = 0;
          for (int i = 0; i < 4 && *ps->p; i++) {
            char h = *ps->p++;
            v = v * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
          }
          c = v < 128 ? (char)v : '?';
          break;
        }
        case 0: free(s); return NULL;
        default: break;
      }
    }
    if (n + 2 > cap) {
      char *ns = realloc(s, cap *= 2);
      if (!ns) free(s);
      s = ns;
      if (!s) return NULL;
    }
    s[n++] = c;
  }
  if (!s || *ps->p != '"') {
    free(s);
    return NULL;
  }
  ps->p++;
  s[n] = 0;
  return s;
}

static jnode *parse_value(parser *ps);

static jnode *parse_container(parser *ps, int obj) {
  jnode *n = calloc(1, sizeof *n), **tail = &n->child;
  n->type = obj ? J_OBJ : J_ARR;
  ps->p++;
  ws(ps);
  if (*ps->p == (obj ? '}' : ']')) {
    ps->p++;
    return n;
  }
  for (;;) {
    char *key = NULL;
    ws(ps);
    if (obj) {
      key = parse_string(ps);
      ws(ps);
      if (!key || *ps->p != ':') {
        free(key);
        json_free(n);
        return bad(ps, "expected a key");
      }
      ps->p++;
    }
    jnode *v = parse_value(ps);
    if (!v) {
      free(key);
      json_free(n);
      return NULL;
    }
    v->key = key;
    *tail = v;
    tail = &v->next;
    n->count++;
    ws(ps);
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == (obj ? '}' : ']')) {
      ps->p++;
      return n;
    }
    json_free(n);
    return bad(ps, "expected ',' or a closing bracket");
  }
}

static jnode *parse_value(parser *ps) {
  ws(ps);
  if (++ps->depth > 200) return bad(ps, "nesting too deep");
  jnode *n = NULL;
  char c = *ps->p;
  if (c == '{' || c == '[') {
    n = parse_container(ps, c == '{');
  } else if (c == '"') {
    char *s = parse_string(ps);
    if (!s) return bad(ps, "bad string");
    n = calloc(1, sizeof *n);
    n->type = J_STR;
    n->str = s;
  } else if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
    n = calloc(1, sizeof *n);
    n->type = J_BOOL;
    n->num = c == 't';
    ps->p += c == 't' ? 4 : 5;
  } else if (!strncmp(ps->p, "null", 4)) {
    n = calloc(1, sizeof *n);
    ps->p += 4;
  } else if (!strncmp(ps->p, "NaN", 3) || !strncmp(ps->p, "Infinity", 8) || !strncmp(ps->p, "-Infinity", 9)) {
    n = calloc(1, sizeof *n);
    n->type = J_NUM;
    n->num = c == 'N' ? 0.0 / 0.0 : (c == '-' ? -1e308 * 10 : 1e308 * 10);
    ps->p += c == 'N' ? 3 : (c == '-' ? 9 : 8);
  } else {
    char *end;
    double v = strtod(ps->p, &end);
    if (end == ps->p) return bad(ps, "unexpected character");
    ps->p = end;
    n = calloc(1, sizeof *n);
    n->type = J_NUM;
    n->num = v;
  }
  ps->depth--;
  return n;
}

jnode *json_parse(const char *text, char *err, size_t errlen) {
  parser ps = {text, err, errlen, 0};
  return parse_value(&ps);
}

jnode *json_load_file(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "cannot open %s", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
  fclose(f);
  if (!buf) return NULL;
  buf[got] = 0;
  jnode *j = json_parse(buf, err, errlen);
  free(buf);
  return j;
}

void json_free(jnode *n) {
  while (n) {
    jnode *next = n->next;
    json_free(n->child);
    free(n->str);
    free(n->key);
    free(n);
    n = next;
  }
}

const jnode *json_get(const jnode *obj, const char *key) {
  if (!obj || obj->type != J_OBJ) return NULL;
  for (const jnode *c = obj->child; c; c = c->next)
    if (c->key && !strcmp(c->key, key)) return c;
  return NULL;
}

const jnode *json_at(const jnode *arr, int i) {
  if (!arr || (arr->type != J_ARR && arr->type != J_OBJ)) return NULL;
  const jnode *c = arr->child;
  while (c && i-- > 0) c = c->next;
  return c;
}

const char *json_str(const jnode *n, const char *def) { return n && n->type == J_STR ? n->str : def; }
double json_num(const jnode *n, double def) { return n && (n->type == J_NUM || n->type == J_BOOL) ? n->num : def; }
