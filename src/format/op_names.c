/* SPDX-License-Identifier: Apache-2.0
 * Names of TFLite builtin operators, indexed by code: schema.h's X-macro (from schema.def). */
#include "schema.h"
#include "tinylite.h"

#define TL_OP_NAME(code, NAME) [code] = #NAME,
static const char *const names[TL_BUILTIN_COUNT] = {TL_BUILTIN_OPS(TL_OP_NAME)};
#undef TL_OP_NAME

const char *tl_op_name(int code) {
  if (code < 0 || code >= TL_BUILTIN_COUNT || !names[code]) return "UNKNOWN";
  return names[code];
}
