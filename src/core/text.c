#include "core/text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <opencc/opencc.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "core/alloc.h"
#include "core/opencc_dict.h"
#include "core/banned.h"

/*
 * Longest NFKC result accepted, in UTF-16 units. NFKC can expand one
 * character to 18 (U+FDFA); real text grows by a few per cent.
 */
#define NORMALIZED_MAX_UNITS (4 * FQ_TEXT_MAX_BYTES)
#define OPENCC_MESSAGE_MAX   160
#define MSG_TOO_LONG	     "文本规范化后过长"

/* General categories folded to a space: punctuation, symbols, separators, controls. */
#define SEPARATOR_CATEGORIES (U_GC_P_MASK | U_GC_S_MASK | U_GC_Z_MASK | U_GC_CC_MASK | U_GC_CF_MASK)

/*
 * Loading and closing the converter take opencc_lock for writing. A loaded
 * converter is read-only and OpenCC's converters may be shared by threads
 * (its maintainers test it), so conversions take it for reading only and
 * run in parallel; the error text is read only at loading (opencc_error is
 * one global string).
 */
static pthread_rwlock_t opencc_lock = PTHREAD_RWLOCK_INITIALIZER;
/* Guarded by opencc_lock. */
static opencc_t opencc_handle;
static char opencc_message[OPENCC_MESSAGE_MAX];

/*
 * The places where OpenCC can change a text (core/opencc_dict.h): the keys
 * of its conversion dictionaries whose default value differs from the key,
 * sorted by their first code point, with a bitmap of those code points.
 * Built when the converter loads, guarded by opencc_lock like it.
 */
#define CODE_POINTS 0x110000u
struct changing_key {
	uint32_t first; /* first code point */
	uint32_t len;
	const char *bytes; /* in changing.text */
};
static struct {
	uint64_t *starts; /* bit c: some changing key starts with code point c */
	struct changing_key *keys;
	size_t count;
	size_t alloc;
	struct fq_buf text;
} changing;
/* Conversions that reached OpenCC, for the tests (fq_text_opencc_calls). */
static unsigned long opencc_calls;

static void changing_free(void)
{
	free(changing.starts);
	free(changing.keys);
	fq_buf_release(&changing.text);
	memset(&changing, 0, sizeof(changing));
}

static int changing_add(void *ctx, const char *key, size_t len, bool changes)
{
	int32_t i = 0;
	UChar32 c;

	(void)ctx;
	if (!changes)
		return 0;
	if (!len || len > UINT32_MAX || !fq_utf8_valid(key, len))
		return 1; /* no dictionary of OpenCC's holds one: refuse what cannot be checked */
	U8_NEXT((const uint8_t *)key, i, (int32_t)(len < 4 ? len : 4), c);
	if (c < 0)
		return 1;
	if (changing.count == changing.alloc) {
		changing.alloc = changing.alloc ? changing.alloc * 2 : 4096;
		changing.keys = fq_xrealloc(changing.keys, changing.alloc * sizeof(*changing.keys));
	}
	/* Offsets now, pointers once the text stops growing. */
	changing.keys[changing.count++] =
	    (struct changing_key){.first = (uint32_t)c,
				  .len = (uint32_t)len,
				  .bytes = (const char *)(uintptr_t)changing.text.len};
	if (fq_buf_add(&changing.text, key, len))
		return 1;
	changing.starts[(uint32_t)c / 64] |= UINT64_C(1) << ((uint32_t)c % 64);
	return 0;
}

static int changing_order(const void *pa, const void *pb)
{
	const struct changing_key *a = pa, *b = pb;

	return a->first < b->first ? -1 : a->first > b->first;
}

/* Read the changing keys of FQ_TEXT_OPENCC_CONFIG; the caller holds opencc_lock for writing. */
static int changing_load_locked(void)
{
	int rc;

	changing_free();
	changing.starts = fq_xcalloc(CODE_POINTS / 64, sizeof(uint64_t));
	fq_buf_init(&changing.text, 0);
	rc = fq_opencc_dict_keys(FQ_TEXT_OPENCC_CONFIG, changing_add, NULL, opencc_message,
				 sizeof(opencc_message));
	if (rc) {
		if (rc > 0)
			snprintf(opencc_message, sizeof(opencc_message),
				 "a key of its dictionaries is not UTF-8");
		changing_free();
		return FQ_EINTERNAL;
	}
	for (size_t k = 0; k < changing.count; k++)
		changing.keys[k].bytes = changing.text.buf + (uintptr_t)changing.keys[k].bytes;
	if (changing.count)
		qsort(changing.keys, changing.count, sizeof(*changing.keys), changing_order);
	return 0;
}

/*
 * Whether OpenCC can change s[0..len) (valid UTF-8): whether a changing key
 * starts at one of its characters. OpenCC only looks at some of these places
 * (after a match it skips the key), so "no" is certain and "yes" may be wrong,
 * which only costs the conversion. The caller holds opencc_lock.
 */
static bool may_change(const char *s, size_t len)
{
	const uint8_t *u = (const uint8_t *)s;
	int32_t n = (int32_t)len;
	int32_t i = 0;

	while (i < n) {
		int32_t at = i;
		size_t lo = 0, hi = changing.count;
		UChar32 c;

		U8_NEXT(u, i, n, c);
		if (c < 0)
			return true;
		if (!(changing.starts[(uint32_t)c / 64] & (UINT64_C(1) << ((uint32_t)c % 64))))
			continue;
		while (lo < hi) { /* the first key starting with c */
			size_t mid = lo + (hi - lo) / 2;

			if (changing.keys[mid].first < (uint32_t)c)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < changing.count && changing.keys[k].first == (uint32_t)c;
		     k++) {
			const struct changing_key *key = &changing.keys[k];

			if (key->len <= (size_t)(n - at) &&
			    memcmp(s + at, key->bytes, key->len) == 0)
				return true;
		}
	}
	return false;
}

/* Load the converter if needed; the caller holds opencc_lock for writing. */
static int opencc_load_locked(void)
{
	opencc_t h;

	if (opencc_handle)
		return 0;
	h = opencc_open(FQ_TEXT_OPENCC_CONFIG);
	if (h == (opencc_t)-1) {
		/* opencc_error is safe here: nothing else runs OpenCC under the write lock. */
		snprintf(opencc_message, sizeof(opencc_message), "%s", opencc_error());
		return FQ_EINTERNAL;
	}
	if (changing_load_locked()) {
		opencc_close(h);
		return FQ_EINTERNAL;
	}
	opencc_handle = h;
	opencc_message[0] = '\0';
	return 0;
}

int fq_text_global_init(void)
{
	int rc;

	pthread_rwlock_wrlock(&opencc_lock);
	rc = opencc_load_locked();
	pthread_rwlock_unlock(&opencc_lock);
	return rc;
}

void fq_text_global_cleanup(void)
{
	pthread_rwlock_wrlock(&opencc_lock);
	if (opencc_handle)
		opencc_close(opencc_handle);
	opencc_handle = NULL;
	changing_free();
	pthread_rwlock_unlock(&opencc_lock);
}

size_t fq_utf8_seq_len(const char *s, size_t avail)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t need;

	if (!avail)
		return 0;
	c = p[0];
	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0) {
		need = 1;
	} else if (c < 0xf0) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else {
		need = 3;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	}
	if (avail - 1 < need || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k <= need; k++)
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	return need + 1;
}

bool fq_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n;

		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if (!(n = fq_utf8_seq_len(s + i, len - i)))
			return false;
		i += n;
	}
	return true;
}

/* Ill-formed sequences (c < 0) separate like punctuation. */
static bool is_separator(UChar32 c)
{
	return c < 0 || (U_GET_GC_MASK(c) & SEPARATOR_CATEGORIES) != 0;
}

static bool is_ideograph(UChar32 c)
{
	UErrorCode status = U_ZERO_ERROR;
	UScriptCode script;

	if (u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC))
		return true;
	script = uscript_getScript(c, &status);
	if (U_FAILURE(status))
		return false;
	return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
	       script == USCRIPT_HANGUL;
}

/*
 * Append s[0..len) to out with every run of separators turned into one
 * space and none at either end.
 */
static int fold_separators(const char *s, size_t len, struct fq_buf *out)
{
	const uint8_t *u = (const uint8_t *)s;
	bool pending_space = false;
	bool wrote = false;
	int32_t i = 0;
	int32_t n = (int32_t)len;

	while (i < n) {
		int32_t start = i;
		UChar32 c;
		int rc;

		U8_NEXT(u, i, n, c);
		if (is_separator(c)) {
			pending_space = wrote;
			continue;
		}
		if (pending_space) {
			rc = fq_buf_addch(out, ' ');
			if (rc)
				return rc;
			pending_space = false;
		}
		rc = fq_buf_add(out, s + start, (size_t)(i - start));
		if (rc)
			return rc;
		wrote = true;
	}
	return 0;
}

static bool is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return false;
	}
	return true;
}

/* NFKC_Casefold of in[0..len) (valid UTF-8), appended to out as UTF-8. */
static int nfkc_casefold(const char *in, size_t len, struct fq_buf *out, struct fq_err *err)
{
	UErrorCode status = U_ZERO_ERROR;
	const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&status);
	UChar *src;
	UChar *dst = NULL;
	char *utf8;
	int32_t src_len;
	int32_t dst_len;
	int32_t dst_cap;
	int32_t utf8_len;
	int rc = FQ_EINTERNAL;

	if (U_FAILURE(status))
		return fq_err_set(err, FQ_EINTERNAL, "text_convert", NULL,
				  "Unicode normalisation unavailable: %s", u_errorName(status));

	/* UTF-16 never needs more units than UTF-8 has bytes. */
	src = fq_xmalloc((len + 1) * sizeof(UChar));
	u_strFromUTF8(src, (int32_t)len + 1, &src_len, in, (int32_t)len, &status);
	if (U_FAILURE(status)) {
		fq_err_set(err, FQ_EINTERNAL, "text_convert", NULL, "UTF-8 conversion failed: %s",
			   u_errorName(status));
		goto out_free_src;
	}

	dst_cap = src_len + src_len / 4 + 16;
	for (;;) {
		dst = fq_xrealloc(dst, (size_t)dst_cap * sizeof(UChar));
		status = U_ZERO_ERROR;
		dst_len = unorm2_normalize(nfkc_cf, src, src_len, dst, dst_cap, &status);
		if (status != U_BUFFER_OVERFLOW_ERROR)
			break;
		if (dst_len > (int32_t)NORMALIZED_MAX_UNITS) {
			rc = fq_err_set(err, FQ_ETOOBIG, "text_too_long", NULL, MSG_TOO_LONG);
			goto out_free_dst;
		}
		dst_cap = dst_len + 1;
	}
	if (U_FAILURE(status)) {
		fq_err_set(err, FQ_EINTERNAL, "text_convert", NULL,
			   "Unicode normalisation failed: %s", u_errorName(status));
		goto out_free_dst;
	}

	/* One UTF-16 unit never takes more than 3 bytes of UTF-8. */
	utf8 = fq_xmalloc((size_t)dst_len * 3 + 1);
	status = U_ZERO_ERROR;
	u_strToUTF8(utf8, dst_len * 3 + 1, &utf8_len, dst, dst_len, &status);
	if (U_FAILURE(status)) {
		fq_err_set(err, FQ_EINTERNAL, "text_convert", NULL, "UTF-8 conversion failed: %s",
			   u_errorName(status));
		goto out_free_utf8;
	}
	rc = fq_buf_add(out, utf8, (size_t)utf8_len);
	if (rc)
		fq_err_set(err, rc, "text_too_long", NULL, MSG_TOO_LONG);
out_free_utf8:
	free(utf8);
out_free_dst:
	free(dst);
out_free_src:
	free(src);
	return rc;
}

/*
 * Traditional to Simplified of the NUL-free text s, folded again (OpenCC
 * keeps punctuation it meets) and appended to out.
 */
static int to_simplified(const char *s, size_t len, struct fq_buf *out, struct fq_err *err)
{
	char *converted;
	int rc;

	pthread_rwlock_rdlock(&opencc_lock);
	if (!opencc_handle) {
		/* Not loaded yet (fq_text_global_init not called): load it, then convert. */
		pthread_rwlock_unlock(&opencc_lock);
		pthread_rwlock_wrlock(&opencc_lock);
		rc = opencc_load_locked();
		if (rc) {
			fq_err_set(err, FQ_EINTERNAL, "text_convert", NULL,
				   "cannot load OpenCC %s: %s", FQ_TEXT_OPENCC_CONFIG,
				   opencc_message);
			pthread_rwlock_unlock(&opencc_lock);
			return rc;
		}
	}
	if (!may_change(s, len)) {
		/* Folding the folded text again would change nothing. */
		pthread_rwlock_unlock(&opencc_lock);
		return fq_buf_add(out, s, len);
	}
	__atomic_add_fetch(&opencc_calls, 1, __ATOMIC_RELAXED);
	converted = opencc_convert_utf8(opencc_handle, s, len);
	pthread_rwlock_unlock(&opencc_lock);
	if (!converted)
		return fq_err_set(err, FQ_EINTERNAL, "text_convert", NULL,
				  "OpenCC conversion failed");

	rc = fold_separators(converted, strlen(converted), out);
	opencc_convert_utf8_free(converted);
	return rc;
}

int fq_text_normalize(const char *in, size_t len, struct fq_buf *out, struct fq_err *err)
{
	struct fq_buf nfkc;
	struct fq_buf folded;
	struct fq_buf simplified;
	const struct fq_buf *result = &folded;
	int rc;

	if (len > FQ_TEXT_MAX_BYTES)
		return fq_err_set(err, FQ_ETOOBIG, "text_too_long", NULL,
				  "文本过长（上限 %u 字节）", FQ_TEXT_MAX_BYTES);
	if (!fq_utf8_valid(in, len))
		return fq_err_set(err, FQ_EINVAL, "text_encoding", NULL,
				  "文本不是有效的 UTF-8 编码");

	fq_buf_init(&nfkc, 0);
	fq_buf_init(&folded, 0);
	fq_buf_init(&simplified, 0);
	rc = nfkc_casefold(in, len, &nfkc, err);
	if (rc)
		goto out_release;
	/* Folding before OpenCC also drops NUL bytes, at which OpenCC would stop. */
	rc = fold_separators(nfkc.buf, nfkc.len, &folded);
	if (!rc && !is_ascii(folded.buf, folded.len)) {
		rc = to_simplified(folded.buf, folded.len, &simplified, err);
		result = &simplified;
	}
	if (!rc)
		rc = fq_buf_add(out, result->buf, result->len);
	if (rc == FQ_ETOOBIG)
		fq_err_set(err, rc, "text_too_long", NULL, MSG_TOO_LONG);
out_release:
	fq_buf_release(&simplified);
	fq_buf_release(&folded);
	fq_buf_release(&nfkc);
	return rc;
}

unsigned long fq_text_opencc_calls(void)
{
	return __atomic_load_n(&opencc_calls, __ATOMIC_RELAXED);
}

void fq_text_tokens_init(struct fq_text_tokens *t)
{
	fq_buf_init(&t->data, 0);
	t->offsets = NULL;
	t->count = 0;
	t->alloc = 0;
}

void fq_text_tokens_release(struct fq_text_tokens *t)
{
	fq_buf_release(&t->data);
	free(t->offsets);
	fq_text_tokens_init(t);
}

static void tokens_clear(struct fq_text_tokens *t)
{
	fq_buf_reset(&t->data);
	t->count = 0;
}

static int tokens_add(struct fq_text_tokens *t, const char *s, size_t n)
{
	size_t start = t->data.len;
	int rc;

	if (t->count == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 16;
		t->offsets = fq_xrealloc(t->offsets, t->alloc * sizeof(*t->offsets));
	}
	rc = fq_buf_add(&t->data, s, n);
	if (!rc)
		rc = fq_buf_addch(&t->data, '\0');
	if (rc)
		return rc;
	t->offsets[t->count++] = start;
	return 0;
}

enum char_class {
	CHAR_SEPARATOR,
	CHAR_IDEOGRAPH,
	CHAR_WORD,
};

static enum char_class classify(UChar32 c)
{
	if (is_separator(c))
		return CHAR_SEPARATOR;
	if (is_ideograph(c))
		return CHAR_IDEOGRAPH;
	return CHAR_WORD;
}

/* Tokens of one run of ideographs s[0..len) holding chars characters. */
static int add_bigrams(struct fq_text_tokens *t, const char *s, int32_t len, size_t chars)
{
	const uint8_t *u = (const uint8_t *)s;
	int32_t first = 0;
	int32_t second = 0;
	int rc;

	if (chars == 1)
		return tokens_add(t, s, (size_t)len);
	U8_FWD_1(u, second, len);
	while (second < len) {
		int32_t end = second;

		U8_FWD_1(u, end, len);
		rc = tokens_add(t, s + first, (size_t)(end - first));
		if (rc)
			return rc;
		first = second;
		second = end;
	}
	return 0;
}

int fq_text_tokenize(struct fq_text_tokens *t, const char *s, size_t len)
{
	const uint8_t *u = (const uint8_t *)s;
	int32_t n = (int32_t)len;
	int32_t i = 0;
	int32_t run_start = 0;
	size_t run_chars = 0;
	enum char_class run = CHAR_SEPARATOR;
	int rc = 0;

	tokens_clear(t);
	if (len > FQ_TEXT_MAX_BYTES)
		return FQ_ETOOBIG;
	while (!rc) {
		int32_t at = i;
		enum char_class cls = CHAR_SEPARATOR;
		UChar32 c;

		if (i < n) {
			U8_NEXT(u, i, n, c);
			cls = classify(c);
		}
		if (cls != run || at == n) {
			if (run == CHAR_IDEOGRAPH)
				rc = add_bigrams(t, s + run_start, at - run_start, run_chars);
			else if (run == CHAR_WORD)
				rc = tokens_add(t, s + run_start, (size_t)(at - run_start));
			run = cls;
			run_start = at;
			run_chars = 0;
		}
		run_chars++;
		if (at == n)
			break;
	}
	if (rc)
		tokens_clear(t);
	return rc;
}

const char *fq_text_token(const struct fq_text_tokens *t, size_t i)
{
	fq_assert(i < t->count);
	return t->data.buf + t->offsets[i];
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int fq_text_sorted_init(struct fq_text_sorted *s, const char *text)
{
	struct fq_text_tokens t;
	char *data;
	int rc;

	memset(s, 0, sizeof(*s));
	fq_text_tokens_init(&t);
	rc = fq_text_tokenize(&t, text, strlen(text));
	if (!rc && t.count) {
		/* The pointers, then the tokens they point into: one block. */
		s->bytes = t.count * sizeof(*s->tokens) + t.data.len;
		s->tokens = fq_xmalloc(s->bytes);
		data = (char *)(s->tokens + t.count);
		memcpy(data, t.data.buf, t.data.len);
		for (size_t i = 0; i < t.count; i++)
			s->tokens[i] = data + t.offsets[i];
		s->count = t.count;
		qsort(s->tokens, s->count, sizeof(*s->tokens), compare_strings);
	}
	fq_text_tokens_release(&t);
	return rc;
}

void fq_text_sorted_release(struct fq_text_sorted *s)
{
	free(s->tokens);
	memset(s, 0, sizeof(*s));
}

double fq_text_similarity_sorted(const struct fq_text_sorted *a, const struct fq_text_sorted *b)
{
	size_t common = 0;

	if (!a->count || !b->count)
		return 0.0;
	for (size_t i = 0, j = 0; i < a->count && j < b->count;) {
		int cmp = strcmp(a->tokens[i], b->tokens[j]);

		if (cmp == 0) {
			common++;
			i++;
			j++;
		} else if (cmp < 0) {
			i++;
		} else {
			j++;
		}
	}
	return 2.0 * (double)common / (double)(a->count + b->count);
}

double fq_text_similarity(const char *a, const char *b)
{
	struct fq_text_sorted sa = {0}, sb = {0};
	double dice = 0.0;

	if (!fq_text_sorted_init(&sa, a) && !fq_text_sorted_init(&sb, b))
		dice = fq_text_similarity_sorted(&sa, &sb);
	fq_text_sorted_release(&sa);
	fq_text_sorted_release(&sb);
	return dice;
}
