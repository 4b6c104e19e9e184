/*
 * JSON on top of jansson, strict: duplicate keys are refused, input must be
 * valid UTF-8 (jansson checks), reals print with 15 significant digits.
 *
 * The field getters validate one member of an object and fill struct fq_err
 * with the field's name on failure, so an API answer can say exactly which
 * field is wrong. Strings returned by getters point into the json_t and live
 * as long as it does.
 */
#ifndef FQ_CORE_JSON_H
#define FQ_CORE_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define FQ_JSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* Parse a whole document; the top level must be an object. */
int fq_json_parse_object(const char *data, size_t len, json_t **out, struct fq_err *err) FQ_WUR;

/*
 * Serialise an object or array into b (appending), byte for byte as
 * json_dumpb(j, FQ_JSON_DUMP_FLAGS). FQ_ETOOBIG past b's maximum or nesting
 * deeper than 4096 (jansson parses at most 2048); FQ_EINVAL for a string that is not valid UTF-8, a
 * top level that is neither an object nor an array, or a real that is not finite. On failure b is
 * left as it was.
 */
int fq_json_dump(const json_t *j, struct fq_buf *b) FQ_WUR;
/* The same with every object's keys sorted: json_dumpb(j, FQ_JSON_DUMP_FLAGS | JSON_SORT_KEYS). */
int fq_json_dump_sorted(const json_t *j, struct fq_buf *b) FQ_WUR;
/*
 * One value written as those write it, for a line built without a json_t: a string (quoted
 * and escaped; FQ_EINVAL and nothing written when s is not valid UTF-8), a real (FQ_EINVAL
 * when not finite).
 */
int fq_json_put_string(struct fq_buf *b, const char *s) FQ_WUR;
int fq_json_put_real(struct fq_buf *b, double v) FQ_WUR;

/* s as a JSON string, or JSON null when s is NULL. */
json_t *fq_json_str_or_null(const char *s);

enum fq_json_need { FQ_JSON_OPTIONAL = 0, FQ_JSON_REQUIRED = 1 };

/*
 * Get a string member of at most max_chars Unicode characters (0: no limit).
 * Missing or null optional members leave *out NULL and return 0. A required
 * string must also be non-empty after trimming.
 */
int fq_json_get_str(json_t *obj, const char *key, enum fq_json_need need, size_t max_chars,
		    const char **out, struct fq_err *err) FQ_WUR;
/* Get an integer member within [min, max]; *present tells whether it was there. */
int fq_json_get_int(json_t *obj, const char *key, enum fq_json_need need, int64_t min, int64_t max,
		    int64_t *out, int *present, struct fq_err *err) FQ_WUR;
int fq_json_get_bool(json_t *obj, const char *key, enum fq_json_need need, int *out, int *present,
		     struct fq_err *err) FQ_WUR;
int fq_json_get_real(json_t *obj, const char *key, enum fq_json_need need, double min, double max,
		     double *out, int *present, struct fq_err *err) FQ_WUR;
/* An array (possibly empty) of at most max_items strings; *out is borrowed from obj. */
int fq_json_get_str_array(json_t *obj, const char *key, enum fq_json_need need, size_t max_items,
			  json_t **out, struct fq_err *err) FQ_WUR;
/* Refuse members not named in allowed (NULL-terminated). */
int fq_json_only_keys(json_t *obj, const char *const *allowed, struct fq_err *err) FQ_WUR;

/* Number of Unicode code points in valid UTF-8. */
size_t fq_utf8_chars(const char *s);

#endif
