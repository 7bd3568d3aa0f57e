/* SPDX-License-Identifier: Apache-2.0
 * tinylite: the command-line tool. Dispatches to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifdef TL_HAVE_TRAIN
int tl_cmd_train(int argc, char **argv);
#endif

static int usage(FILE *f) {
  fprintf(f,
          "usage: tinylite <command> [options]\n"
          "\n"
          "commands:\n"
          "  info MODEL                      inputs, outputs, ops, tensors, buffers and planned arena\n"
          "  info --ops                      the ops and dtypes this build runs\n"
          "  run MODEL --input F --output F  run on raw little-endian input tensor(s), write the outputs\n"
          "  eval MODEL --data DIR           accuracy on the MNIST test set (--json for scripts)\n"
          "  classify MODEL IMAGE...         predict the digit in PNG/PGM images of any size\n"
#ifdef TL_HAVE_QUANT
          "  convert IN -o OUT --quantize M  quantize a float model: none, dynamic, int8, float16\n"
#endif
#ifdef TL_HAVE_TRAIN
          "  train [options]                 train the tutorial CNN on MNIST and export it\n"
#endif
          "\n"
          "Run 'tinylite <command> --help' for a command's options.\n");
  return f == stderr ? 2 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage(stderr);
  const char *c = argv[1];
  if (!strcmp(c, "-h") || !strcmp(c, "--help") || !strcmp(c, "help")) return usage(stdout);
  if (!strcmp(c, "info")) return cmd_info(argc - 1, argv + 1);
  if (!strcmp(c, "run")) return cmd_run(argc - 1, argv + 1);
  if (!strcmp(c, "eval")) return cmd_eval(argc - 1, argv + 1);
  if (!strcmp(c, "classify")) return cmd_classify(argc - 1, argv + 1);
#ifdef TL_HAVE_QUANT
  if (!strcmp(c, "convert")) return cmd_convert(argc - 1, argv + 1);
#endif
#ifdef TL_HAVE_TRAIN
  if (!strcmp(c, "train")) return tl_cmd_train(argc - 1, argv + 1);
#endif
  fprintf(stderr, "tinylite: unknown command '%s'\n", c);
  return usage(stderr);
}
