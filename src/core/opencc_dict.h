/*
 * The keys of OpenCC's dictionaries, read through OpenCC's own C++ API (its
 * C API converts but cannot list a dictionary). core/text.c uses them to see,
 * before calling OpenCC, whether a text can change at all: OpenCC changes a
 * text only where one of its conversion dictionaries has a key that starts
 * there and whose first value is not the key itself. Most simplified text
 * holds no such place, and the conversion is the largest single cost of
 * normalising it (docs/internals.md, "Traditional to Simplified").
 *
 * The only C++ in the tree: src/core/opencc_dict.cc.
 */
#ifndef FQ_CORE_OPENCC_DICT_H
#define FQ_CORE_OPENCC_DICT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called once per key (UTF-8, not NUL-terminated); a nonzero return stops the walk with it. */
typedef int (*fq_opencc_key_fn)(void *ctx, const char *key, size_t len, bool changes);

/*
 * Load the OpenCC configuration `config` (a file name looked up as
 * opencc_open looks it up) and pass every key of every dictionary of its
 * conversion chain to fn, with whether the key's first (default) value
 * differs from the key. Returns 0, what fn returned when it stopped the walk,
 * or -1 when OpenCC cannot load the configuration, with its message in
 * msg[0..msg_size) (always NUL-terminated).
 */
int fq_opencc_dict_keys(const char *config, fq_opencc_key_fn fn, void *ctx, char *msg,
			size_t msg_size);

#ifdef __cplusplus
}
#endif

#endif
