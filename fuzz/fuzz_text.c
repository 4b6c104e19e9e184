/*
 * libFuzzer harness for text normalisation (core/text.c): UTF-8
 * validation, NFKC, OpenCC, folding, tokenising and similarity on
 * arbitrary bytes. Besides memory errors it stops on a broken contract of
 * the normalised form: valid UTF-8, no ASCII upper case or punctuation, no
 * space at either end or twice in a row. See fuzz/README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* Inputs of one alert description are short; long ones only slow the fuzzer. */
#define FUZZ_INPUT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
	if (!cond)
		abort();
}

static void check_normal_form(const struct fq_buf *b)
{
	require(b->buf[b->len] == '\0');
	require(fq_utf8_valid(b->buf, b->len));
	require(strlen(b->buf) == b->len);
	if (!b->len)
		return;
	require(b->buf[0] != ' ' && b->buf[b->len - 1] != ' ');
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->buf[i];

		require(!(c >= 'A' && c <= 'Z'));
		require(c >= 0x80 || c == ' ' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
		require(!(c == ' ' && b->buf[i + 1] == ' '));
	}
}

static void check_tokens(const char *text, size_t len)
{
	struct fq_text_tokens t;
	double self;

	fq_text_tokens_init(&t);
	require(fq_text_tokenize(&t, text, len) == 0);
	for (size_t i = 0; i < t.count; i++)
		require(fq_text_token(&t, i)[0] != '\0');
	self = fq_text_similarity(text, text);
	require(t.count ? self == 1.0 : self == 0.0);
	fq_text_tokens_release(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_buf out;
	char *half;
	double sim;
	int rc;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	fq_buf_init(&out, 0);
	rc = fq_text_normalize(in, size, &out, &err);
	if (fq_utf8_valid(in, size)) {
		require(rc == 0);
		check_normal_form(&out);
		check_tokens(out.buf, out.len);
	} else {
		require(rc == FQ_EINVAL && strcmp(err.machine, "text_encoding") == 0);
		require(out.len == 0);
	}

	/* Similarity and tokenising take raw, possibly ill-formed text too. */
	half = malloc(size + 1);
	require(half != NULL);
	memcpy(half, data, size);
	half[size] = '\0';
	sim = fq_text_similarity(half, half + size / 2);
	require(sim >= 0.0 && sim <= 1.0);
	require(sim == fq_text_similarity(half + size / 2, half));
	free(half);

	fq_buf_release(&out);
	return 0;
}
