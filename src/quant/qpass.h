/* SPDX-License-Identifier: Apache-2.0
 * The converter's passes over a tl_qgraph (one file each) and the helpers they share. */
#ifndef TL_QUANT_QPASS_H
#define TL_QUANT_QPASS_H

#include "qgraph.h"

tl_status tl_q_pass_dynamic(tl_qgraph *g, const tl_qoptions *o, tl_qreport *rep, char *err, size_t errlen);
tl_status tl_q_pass_float16(tl_qgraph *g, tl_qreport *rep, char *err, size_t errlen);
tl_status tl_q_pass_int8(tl_qgraph *g, const tl_qoptions *o, const tl_qranges *r, tl_qreport *rep, char *err,
                         size_t errlen);

/* Byte-wide field `id` of op's options (activation enums, bools), def when absent. */
int tl_q_opt_byte(const tl_qop *op, int id, int def);
/* Appends a line to the report's notes (rep may be NULL; long notes are cut). */
void tl_q_note(tl_qreport *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
