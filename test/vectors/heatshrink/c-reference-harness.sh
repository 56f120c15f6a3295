#!/usr/bin/env bash
# Builds a host binary from Espruino's own heatshrink sources, used to produce the
# "compiled-espruino-c" vectors in this folder.
#
#   usage: c-reference-harness.sh ESPRUINO_GIT_DIR OUT_DIR
#   then:  OUT_DIR/hsref   < input > compressed      (require("heatshrink").compress)
#          OUT_DIR/hsref d < compressed > output     (require("heatshrink").decompress)
#
# The binary links Espruino's libs/compression/compress_heatshrink.c unchanged: its
# heatshrink_encode_cb/heatshrink_decode_cb drivers (128-byte chunks) are the ones that
# jswrap_heatshrink.c calls, with heatshrink_encoder.c/heatshrink_decoder.c and Espruino's
# heatshrink_config.h (window 8, lookahead 6). Only the interpreter headers it includes are
# stubbed: the JsVar iterator callbacks are not used here.
set -euo pipefail
git_dir=$1
out=$2
mkdir -p "$out"
for f in heatshrink/heatshrink_common.h heatshrink/heatshrink_config.h \
  heatshrink/heatshrink_decoder.c heatshrink/heatshrink_decoder.h \
  heatshrink/heatshrink_encoder.c heatshrink/heatshrink_encoder.h \
  compress_heatshrink.c compress_heatshrink.h; do
  git --git-dir="$git_dir" show "HEAD:libs/compression/$f" >"$out/$(basename "$f")"
done
cat >"$out/jsutils.h" <<'H'
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#define NOT_USED(x) ((void)(x))
#define assert(X) do { if (!(X)) fprintf(stderr, "ASSERT %s:%d %s\n", __FILE__, __LINE__, #X); } while (0)
H
: >"$out/jsinteractive.h"
: >"$out/jsdevices.h"
cat >"$out/jsvariterator.h" <<'H'
typedef struct { int dummy; } JsvStringIterator;
typedef struct { int dummy; } JsvIterator;
static inline void jsvStringIteratorSetCharAndNext(JsvStringIterator *it, char c) { (void)it; (void)c; }
static inline bool jsvIteratorHasElement(JsvIterator *it) { (void)it; return false; }
static inline int jsvIteratorGetIntegerValue(JsvIterator *it) { (void)it; return 0; }
static inline void jsvIteratorNext(JsvIterator *it) { (void)it; }
H
cat >"$out/main.c" <<'C'
#include "jsutils.h"
#include "compress_heatshrink.h"
static unsigned char inb[1 << 22];
static unsigned char outb[1 << 26];
static size_t on = 0;
static void out_cb(unsigned char ch, uint32_t *d) { (void)d; if (on < sizeof(outb)) outb[on++] = ch; }
int main(int argc, char **argv) {
  size_t n = fread(inb, 1, sizeof(inb), stdin);
  HeatShrinkPtrInputCallbackInfo cbi;
  cbi.ptr = inb;
  cbi.len = n;
  if (argc > 1 && argv[1][0] == 'd')
    heatshrink_decode_cb(heatshrink_ptr_input_cb, (uint32_t *)&cbi, out_cb, NULL);
  else
    heatshrink_encode(inb, n, out_cb, NULL);
  fwrite(outb, 1, on, stdout);
  return 0;
}
C
(cd "$out" && gcc -O2 -w -I. -o hsref main.c compress_heatshrink.c heatshrink_encoder.c heatshrink_decoder.c)
echo "$out/hsref"
