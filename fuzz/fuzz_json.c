/*
 * libFuzzer harness for JSON request bodies: the strict parser and the
 * field getters every handler uses. Checks beyond the sanitizers: a parsed
 * document is an object, getters either fail with a named field or return
 * values of the promised type and bounds, and what parses serialises again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *j = NULL;
	const char *s;
	int64_t n, ms;
	double d;
	int b, present;
	struct fq_buf out;

	if (fq_json_parse_object((const char *)data, size, &j, &err) != 0) {
		if (err.machine[0] == '\0' || err.message[0] == '\0')
			abort();
		return 0;
	}
	if (!json_is_object(j))
		abort();
	fq_err_clear(&err);
	if (fq_json_get_str(j, "name", FQ_JSON_OPTIONAL, 16, &s, &err) == 0) {
		if (s && fq_utf8_chars(s) > 16)
			abort();
	} else if (strcmp(err.field, "name") != 0) {
		abort();
	}
	fq_err_clear(&err);
	if (fq_json_get_int(j, "n", FQ_JSON_REQUIRED, -5, 5, &n, &present, &err) == 0) {
		if (!present || n < -5 || n > 5)
			abort();
	} else if (strcmp(err.field, "n") != 0) {
		abort();
	}
	fq_err_clear(&err);
	if (fq_json_get_real(j, "x", FQ_JSON_OPTIONAL, -90, 90, &d, &present, &err) == 0 &&
	    present && (d < -90 || d > 90))
		abort();
	(void)fq_json_get_bool(j, "b", FQ_JSON_OPTIONAL, &b, &present, &err);
	if (fq_json_get_str(j, "t", FQ_JSON_OPTIONAL, 64, &s, &err) == 0 && s)
		(void)fq_time_parse(s, &ms, "t", &err);
	fq_buf_init(&out, 1 << 22);
	if (fq_json_dump(j, &out) == 0 && out.len == 0)
		abort();
	fq_buf_release(&out);
	json_decref(j);
	return 0;
}
