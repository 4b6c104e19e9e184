/*
 * libFuzzer harness for citizen identity numbers (core/idnum.c): parsing,
 * 15-to-18 conversion and masking of arbitrary bytes. Besides memory
 * errors it stops on a broken contract: an accepted number must be
 * well-formed, carry its own check character and parse again to the same
 * result. See fuzz/README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/idnum.h"

/* Longer inputs add nothing: the parser stops at the length check. */
#define FUZZ_INPUT_MAX 256
/* 2024-11-23 12:00 in China. */
#define FUZZ_NOW_MS INT64_C(1732334400000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
	if (!cond)
		abort();
}

static void check_accepted(const struct fq_idnum *id)
{
	struct fq_idnum again;
	char masked[FQ_IDNUM_LEN + 1];

	require(strlen(id->number) == FQ_IDNUM_LEN);
	require(fq_idnum_check_char(id->number) == id->number[17]);
	require(id->sex == 'M' || id->sex == 'F');
	require(id->birth_year >= FQ_IDNUM_MIN_BIRTH_YEAR);
	require(id->birth_month >= 1 && id->birth_month <= 12);
	require(id->birth_day >= 1 && id->birth_day <= 31);
	require(memcmp(id->division, id->number, 6) == 0);

	require(fq_idnum_parse(id->number, NULL, FUZZ_NOW_MS, &again, NULL) == 0);
	require(memcmp(&again, id, sizeof(again)) == 0);

	require(fq_idnum_mask(id->number, masked) == 0);
	require(memcmp(masked, id->number, 6) == 0);
	require(memcmp(masked + 6, "********", 8) == 0);
	require(memcmp(masked + 14, id->number + 14, 4) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[FUZZ_INPUT_MAX + 1];
	struct fq_err err = FQ_ERR_INIT;
	struct fq_idnum id;
	char out[FQ_IDNUM_LEN + 1];

	if (size > FUZZ_INPUT_MAX)
		size = FUZZ_INPUT_MAX;
	memcpy(s, data, size);
	s[size] = '\0';

	if (fq_idnum_parse(s, "id_number", FUZZ_NOW_MS, &id, &err) == 0)
		check_accepted(&id);
	else
		require(err.code == FQ_EINVAL && err.machine[0] && err.message[0]);

	if (fq_idnum_from15(s, NULL, out, NULL) == 0) {
		require(strlen(out) == FQ_IDNUM_LEN);
		require(fq_idnum_check_char(out) == out[17]);
		if (fq_idnum_parse(out, NULL, FUZZ_NOW_MS, &id, NULL) == 0)
			check_accepted(&id);
	} else {
		require(out[0] == '\0');
	}

	if (fq_idnum_mask(s, out) == 0)
		require(strlen(out) == FQ_IDNUM_LEN);
	else
		require(out[0] == '\0');
	return 0;
}
