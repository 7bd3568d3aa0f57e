/* SPDX-License-Identifier: Apache-2.0
 * Names and sizes of status codes and tensor types. */
#include "tinylite.h"

const char *tl_status_str(tl_status s) {
  switch (s) {
    case TL_OK: return "ok";
    case TL_ERR_ARG: return "invalid argument";
    case TL_ERR_MODEL: return "invalid model";
    case TL_ERR_UNSUPPORTED: return "unsupported";
    case TL_ERR_NOMEM: return "out of memory";
    case TL_ERR_IO: return "i/o error";
    case TL_ERR_STATE: return "wrong call order";
    case TL_ERR_RUNTIME: return "runtime error";
  }
  return "unknown status";
}

static const char *const type_names[] = {"FLOAT32", "FLOAT16", "INT32",  "UINT8",   "INT64",  "STRING",
                                         "BOOL",    "INT16",   "COMPLEX64", "INT8", "FLOAT64", "COMPLEX128",
                                         "UINT64",  "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4"};

const char *tl_type_name(int type) {
  if (type < 0 || type >= (int)(sizeof type_names / sizeof type_names[0])) return "UNKNOWN";
  return type_names[type];
}

size_t tl_type_size(int type) {
  switch (type) {
    case TL_FLOAT32: case TL_INT32: case TL_UINT32: return 4;
    case TL_FLOAT16: case TL_INT16: case TL_UINT16: return 2;
    case TL_UINT8: case TL_INT8: case TL_BOOL: return 1;
    case TL_INT64: case TL_UINT64: case TL_FLOAT64: case TL_COMPLEX64: return 8;
    case TL_COMPLEX128: return 16;
    case TL_RESOURCE: return 4; /* tinylite stores a resource as an int32 variable id */
    default: return 0;
  }
}
