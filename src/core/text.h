/*
 * Chinese text for matching and search.
 *
 * What people wrote is kept as written; this module derives the normalised
 * copy that records are matched and searched on (the "text" convention of
 * the domain model). fq_text_normalize applies, in order:
 *   1. UTF-8 validation (invalid input is refused, never repaired);
 *   2. Unicode NFKC with case folding (ICU's NFKC_Casefold): full-width
 *      letters and digits become ASCII, compatibility forms such as "①" or
 *      "ﬁ" are expanded, letters are folded to lower case, invisible
 *      format characters are dropped;
 *   3. Traditional to Simplified Chinese with OpenCC's t2s.json (phrase-
 *      aware: "臺灣" becomes "台湾");
 *   4. folding of punctuation, symbols, white space and control
 *      characters (all of Unicode categories P, S, Z, Cc and Cf, so
 *      "。，、；：？！“”‘’（）【】《》" and ASCII punctuation alike) to one
 *      ASCII space, with leading and trailing spaces removed.
 * The result is therefore lower case, Simplified, and holds single spaces
 * between runs of letters, digits and ideographs, nothing else. Note that
 * "3.5" becomes "3 5": matching treats both sides the same way.
 *
 * Step 3 calls OpenCC only when one of its dictionaries' changing keys
 * starts somewhere in the text (core/opencc_dict.h); otherwise OpenCC would
 * give the text back unchanged, and most simplified text is left alone.
 *
 * Thread-safety: every function may be called from any thread. OpenCC
 * documents its converters as usable from several threads; the one shared
 * converter is loaded and freed under a write lock and used under a read
 * lock, and its C API's process-wide error string is read only at loading.
 * ICU's normaliser instance is immutable and shared freely.
 */
#ifndef FQ_CORE_TEXT_H
#define FQ_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Longest input fq_text_normalize and fq_text_tokenize accept, in bytes. */
#define FQ_TEXT_MAX_BYTES (1024u * 1024u)
/* OpenCC configuration, looked up in OpenCC's data directory (/usr/share/opencc). */
#define FQ_TEXT_OPENCC_CONFIG "t2s.json"

/*
 * Load the Traditional to Simplified converter. Call once at start-up so
 * that a missing OpenCC data package stops the server before it serves;
 * fq_text_normalize otherwise loads it on first use. Idempotent. Returns 0
 * or FQ_EINTERNAL when OpenCC cannot load its configuration (the next
 * fq_text_normalize then reports OpenCC's message in its err).
 */
int fq_text_global_init(void) FQ_WUR;

/*
 * Free the converter (for leak checkers at exit). A later
 * fq_text_normalize loads it again.
 */
void fq_text_global_cleanup(void);

/*
 * Whether s[0..len) is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no truncated sequence. NUL bytes are valid
 * (U+0000); callers that need C strings check for them separately.
 */
bool fq_utf8_valid(const char *s, size_t len);
/* Length of the well-formed UTF-8 sequence at s (1..4, within avail bytes), 0 if there is none. */
size_t fq_utf8_seq_len(const char *s, size_t avail);

/*
 * Append the normalised form of in[0..len) (UTF-8, may hold NUL bytes,
 * which count as control characters) to out. in is not modified.
 *
 * Returns 0, or on failure leaves out as it was and returns:
 *   FQ_ETOOBIG   ("text_too_long")  len > FQ_TEXT_MAX_BYTES or the result
 *                                   would pass out->max
 *   FQ_EINVAL    ("text_encoding")  in is not valid UTF-8
 *   FQ_EINTERNAL ("text_convert")   ICU or OpenCC failed (data missing)
 * err->field is left empty: the caller knows which field it normalised.
 */
int fq_text_normalize(const char *in, size_t len, struct fq_buf *out, struct fq_err *err) FQ_WUR;

/* How many texts fq_text_normalize has passed to OpenCC since the process started (for tests). */
unsigned long fq_text_opencc_calls(void);

/*
 * Tokens of a text for similarity and search:
 *   - each maximal run of ideographs (Han, also kana and hangul) yields its
 *     overlapping character bigrams ("打架斗殴" -> "打架" "架斗" "斗殴"), or
 *     the single character when the run is one character long;
 *   - each maximal run of other letters, digits and marks is one word
 *     token ("abc123");
 *   - separators (as folded by fq_text_normalize) split runs.
 * Tokens appear in text order, duplicates kept. Meant for normalised text;
 * ill-formed UTF-8 sequences count as separators.
 */
struct fq_text_tokens {
	struct fq_buf data; /* the tokens, each NUL-terminated, back to back */
	size_t *offsets;    /* start of token i in data.buf */
	size_t count;
	size_t alloc; /* capacity of offsets */
};

void fq_text_tokens_init(struct fq_text_tokens *t);
void fq_text_tokens_release(struct fq_text_tokens *t);

/*
 * Replace the content of t with the tokens of s[0..len). Returns 0, or
 * FQ_ETOOBIG when len > FQ_TEXT_MAX_BYTES (t is then empty).
 */
int fq_text_tokenize(struct fq_text_tokens *t, const char *s, size_t len) FQ_WUR;

/* Token i (< t->count), valid until t changes. */
const char *fq_text_token(const struct fq_text_tokens *t, size_t i);

/*
 * Dice coefficient of the token multisets of the NUL-terminated texts a
 * and b: 2 * |common tokens| / (|tokens of a| + |tokens of b|), a duplicate
 * counting as often as it occurs in both. 1.0 for texts with the same
 * tokens, 0.0 for texts without a common token, and 0.0 when either text
 * has no token at all or is longer than FQ_TEXT_MAX_BYTES. Pass normalised
 * texts: otherwise case, script and punctuation differences count.
 */
double fq_text_similarity(const char *a, const char *b);

/*
 * A text's tokens, sorted once: for one text compared with many
 * (fq_text_similarity_sorted gives fq_text_similarity's value without
 * tokenising either side again). One block of memory; bytes is its size.
 */
struct fq_text_sorted {
	const char **tokens; /* count tokens in strcmp order (duplicates kept) */
	size_t count;
	size_t bytes;
};

/*
 * Tokenise and sort text (NUL-terminated). Returns 0, or FQ_ETOOBIG for a
 * text longer than FQ_TEXT_MAX_BYTES: s is then empty, and compares as 0.0
 * as fq_text_similarity says.
 */
int fq_text_sorted_init(struct fq_text_sorted *s, const char *text);
void fq_text_sorted_release(struct fq_text_sorted *s);
double fq_text_similarity_sorted(const struct fq_text_sorted *a, const struct fq_text_sorted *b);

#endif
