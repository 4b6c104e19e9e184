#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/text.h"

#include "core/banned.h"

int fq_json_parse_object(const char *data, size_t len, json_t **out, struct fq_err *err)
{
	json_error_t je;
	json_t *j;

	*out = NULL;
	j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		if (json_error_code(&je) == json_error_invalid_utf8)
			return fq_err_set(err, FQ_EINVAL, "invalid_utf8", NULL,
					  "请求内容不是有效的 UTF-8 编码（位置 %d）", je.position);
		if (json_error_code(&je) == json_error_duplicate_key)
			return fq_err_set(err, FQ_EINVAL, "duplicate_key", NULL,
					  "JSON 中有重复的键（第 %d 行）", je.line);
		return fq_err_set(err, FQ_EINVAL, "malformed_json", NULL,
				  "JSON 格式错误：第 %d 行第 %d 列", je.line, je.column);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return fq_err_set(err, FQ_EINVAL, "malformed_json", NULL, "请求体必须是 JSON 对象");
	}
	*out = j;
	return 0;
}

/*
 * The writer below produces exactly what json_dumpb(j, FQ_JSON_DUMP_FLAGS)
 * does (test_json compares the two over a corpus), straight into the buffer.
 * jansson 2.14's own dumper guards against reference cycles by formatting
 * every object's and array's address with snprintf("%p") into a hashtable of
 * parents, and hands every token to a callback: on the intake benchmark that
 * came to 8% of the server's CPU for a 1.3 KB answer. Here the depth is bounded
 * instead (above what jansson parses, so whatever came in can go out), and a
 * cycle ends as "too deep" rather than as a loop.
 */
/* Above what jansson's parser accepts (JSON_PARSER_MAX_DEPTH, 2048): what came in goes out. */
#define DUMP_MAX_DEPTH 4096

/* fq_buf_add without the call when the room is there (most tokens of an answer). */
static inline int put(struct fq_buf *b, const char *s, size_t n)
{
	if (b->len + n < b->alloc && b->len + n <= b->max) {
		memcpy(b->buf + b->len, s, n);
		b->len += n;
		b->buf[b->len] = '\0';
		return 0;
	}
	return fq_buf_add(b, s, n);
}

static inline int putc1(struct fq_buf *b, char c)
{
	return put(b, &c, 1);
}

static int dump_string(struct fq_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t from = 0, i = 0;
	int rc;

	if ((rc = putc1(b, '"')))
		return rc;
	/* One pass: ASCII is copied in runs, other bytes must start well-formed UTF-8 (jansson
	 * refuses to write a string that is not). */
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 0, 0, 0, 0, 0};
		size_t n = 2;

		if (c >= 0x80) {
			size_t k = fq_utf8_seq_len(s + i, len - i);

			if (!k)
				return FQ_EINVAL;
			i += k;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if ((rc = put(b, s + from, i - from)) || (rc = put(b, esc, n)))
			return rc;
		from = ++i;
	}
	if ((rc = put(b, s + from, len - from)))
		return rc;
	return putc1(b, '"');
}

/*
 * %.15g without printf for most reals (coordinates, scores): for 1e-4 <= |v| <
 * 1e14, %.15g writes v rounded to d = 14 - floor(log10 |v|) decimals, with
 * trailing zeros dropped. w = |v| * 10^d is one correctly rounded product (10^d
 * is exact up to 10^22) below 2^50, so it is within 1/16 of the exact one, and
 * rounding it to an integer gives printf's result unless its fraction is near
 * one half; those, and every other magnitude, go to snprintf. Returns the
 * length written into out (at least 24 bytes), or 0 for "use snprintf".
 */
static size_t real_fixed15(double v, char *out)
{
	static const double pow10[] = {1e0,  1e1,  1e2,	 1e3,  1e4,  1e5,  1e6,	 1e7,  1e8, 1e9,
				       1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
	double a = fabs(v), w, whole, frac;
	uint64_t m, ip, fp;
	int d;
	char digits[24], *p = digits + sizeof(digits);
	size_t n = 0;

	if (!(a >= 1e-4 && a < 1e14))
		return 0;
	d = 14 - (int)floor(log10(a));
	if (d < 0 || d > 18)
		return 0;
	w = a * pow10[d];
	/* log10 of a value just below a power of ten may round up to it: d is then one short. */
	if (w < 1e14)
		return 0;
	whole = floor(w);
	frac = w - whole;
	if (frac > 0.25 && frac < 0.75)
		return 0;
	m = (uint64_t)whole + (frac >= 0.75);
	/* 15 significant digits exactly: 16 when log10 fell short of a power of ten. */
	if (m >= 1000000000000000u)
		return 0;
	ip = m / (uint64_t)pow10[d];
	fp = m % (uint64_t)pow10[d];
	if (v < 0)
		out[n++] = '-';
	do {
		*--p = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	memcpy(out + n, p, (size_t)(digits + sizeof(digits) - p));
	n += (size_t)(digits + sizeof(digits) - p);
	out[n++] = '.';
	if (!fp) {
		out[n++] = '0'; /* jansson's ".0" on a whole number */
		return n;
	}
	while (fp % 10 == 0) {
		fp /= 10;
		d--;
	}
	for (int i = d - 1; i >= 0; i--) {
		out[n + (size_t)i] = (char)('0' + fp % 10);
		fp /= 10;
	}
	return n + (size_t)d;
}

/* As jansson's jsonp_dtostr: %.15g, always a '.' or an 'e', no '+' or leading 0 in the exponent. */
static int dump_real(struct fq_buf *b, double v)
{
	char out[40];
	size_t fast = real_fixed15(v, out);
	int n;
	char *e;

	if (fast)
		return put(b, out, fast);
	n = snprintf(out, sizeof(out), "%.15g", v);

	if (n < 0 || (size_t)n >= sizeof(out) - 3 || !isfinite(v))
		return FQ_EINVAL;
	for (int i = 0; i < n; i++)
		if (out[i] == ',') /* a locale's decimal comma */
			out[i] = '.';
	e = strchr(out, 'e');
	if (!e && !strchr(out, '.')) {
		memcpy(out + n, ".0", 3);
		n += 2;
	} else if (e) {
		char *digits = e + 1, *from;

		if (*digits == '-')
			digits++;
		from = e + 1;
		if (*from == '+' || *from == '-')
			from++;
		while (*from == '0' && from[1])
			from++;
		if (from != digits) {
			memmove(digits, from, strlen(from) + 1);
			n = (int)strlen(out);
		}
	}
	return put(b, out, (size_t)n);
}

static int dump_int(struct fq_buf *b, json_int_t v)
{
	char out[24], *p = out + sizeof(out);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return put(b, p, (size_t)(out + sizeof(out) - p));
}

static int dump_value(struct fq_buf *b, const json_t *j, int depth, int sorted);

static int by_key(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* An object's members sorted by key (bytewise), as JSON_SORT_KEYS writes them. */
static int dump_sorted_object(struct fq_buf *b, const json_t *j, int depth)
{
	const char *stack[16], **keys = stack, *key;
	size_t n = json_object_size(j), k = 0;
	json_t *v;
	int rc = 0;

	if (n > sizeof(stack) / sizeof(stack[0]))
		keys = fq_xmalloc(n * sizeof(*keys));
	json_object_foreach((json_t *)j, key, v) keys[k++] = key;
	qsort(keys, k, sizeof(*keys), by_key);
	rc = putc1(b, '{');
	for (size_t i = 0; !rc && i < k; i++)
		if ((i && (rc = putc1(b, ','))) ||
		    (rc = dump_string(b, keys[i], strlen(keys[i]))) || (rc = putc1(b, ':')) ||
		    (rc = dump_value(b, json_object_get(j, keys[i]), depth + 1, 1)))
			break;
	if (keys != stack)
		free(keys);
	return rc ? rc : putc1(b, '}');
}

static int dump_value(struct fq_buf *b, const json_t *j, int depth, int sorted)
{
	int rc = 0;

	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *v;
		int first = 1;

		if (depth >= DUMP_MAX_DEPTH)
			return FQ_ETOOBIG;
		if (sorted)
			return dump_sorted_object(b, j, depth);
		if ((rc = putc1(b, '{')))
			return rc;
		/* jansson keeps an object's members in the order they were set. */
		json_object_foreach((json_t *)j, key, v)
		{
			if ((!first && (rc = putc1(b, ','))) ||
			    (rc = dump_string(b, key, strlen(key))) || (rc = putc1(b, ':')) ||
			    (rc = dump_value(b, v, depth + 1, 0)))
				return rc;
			first = 0;
		}
		return putc1(b, '}');
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(j);

		if (depth >= DUMP_MAX_DEPTH)
			return FQ_ETOOBIG;
		if ((rc = putc1(b, '[')))
			return rc;
		for (size_t i = 0; i < n; i++)
			if ((i && (rc = putc1(b, ','))) ||
			    (rc = dump_value(b, json_array_get(j, i), depth + 1, sorted)))
				return rc;
		return putc1(b, ']');
	}
	case JSON_STRING:
		return dump_string(b, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		return dump_int(b, json_integer_value(j));
	case JSON_REAL:
		return dump_real(b, json_real_value(j));
	case JSON_TRUE:
		return put(b, "true", 4);
	case JSON_FALSE:
		return put(b, "false", 5);
	case JSON_NULL:
		return put(b, "null", 4);
	}
	return FQ_EINVAL;
}

static int dump_top(const json_t *j, struct fq_buf *b, int sorted)
{
	size_t start = b->len;
	int rc;

	/* As json_dumpb without JSON_ENCODE_ANY: the top level is an object or an array. */
	if (!j || !(json_is_object(j) || json_is_array(j)))
		return FQ_EINVAL;
	/* Room for a usual answer at once, within b's maximum. */
	if (b->alloc - b->len < 4096 &&
	    fq_buf_reserve(b, b->max - b->len < 4096 ? b->max - b->len : 4096))
		return FQ_ETOOBIG;
	rc = dump_value(b, j, 0, sorted);
	if (rc) {
		/* Nothing half-written is left behind. */
		b->len = start;
		b->buf[start] = '\0';
		return rc;
	}
	return 0;
}

int fq_json_dump(const json_t *j, struct fq_buf *b)
{
	return dump_top(j, b, 0);
}

int fq_json_dump_sorted(const json_t *j, struct fq_buf *b)
{
	return dump_top(j, b, 1);
}

int fq_json_put_string(struct fq_buf *b, const char *s)
{
	size_t start = b->len;
	int rc = dump_string(b, s, strlen(s));

	if (rc) {
		b->len = start;
		b->buf[start] = '\0';
	}
	return rc;
}

int fq_json_put_real(struct fq_buf *b, double v)
{
	return dump_real(b, v);
}

json_t *fq_json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

size_t fq_utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int missing(json_t *v, const char *key, enum fq_json_need need, struct fq_err *err)
{
	if (v && !json_is_null(v))
		return 0;
	if (need == FQ_JSON_REQUIRED)
		return fq_err_set(err, FQ_EINVAL, "missing_field", key, "缺少必填字段：%s", key);
	return 1;
}

int fq_json_get_str(json_t *obj, const char *key, enum fq_json_need need, size_t max_chars,
		    const char **out, struct fq_err *err)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	int rc;

	*out = NULL;
	rc = missing(v, key, need, err);
	if (rc)
		return rc < 0 ? rc : 0;
	if (!json_is_string(v))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", key, "字段 %s 应为字符串", key);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", key, "字段 %s 含有空字符", key);
	if (max_chars && fq_utf8_chars(s) > max_chars)
		return fq_err_set(err, FQ_EINVAL, "too_long", key, "字段 %s 超过 %zu 个字符", key,
				  max_chars);
	if (need == FQ_JSON_REQUIRED) {
		const char *p = s;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			return fq_err_set(err, FQ_EINVAL, "missing_field", key, "字段 %s 不能为空",
					  key);
	}
	*out = s;
	return 0;
}

int fq_json_get_int(json_t *obj, const char *key, enum fq_json_need need, int64_t min, int64_t max,
		    int64_t *out, int *present, struct fq_err *err)
{
	json_t *v = json_object_get(obj, key);
	int rc = missing(v, key, need, err);
	json_int_t n;

	if (present)
		*present = 0;
	if (rc)
		return rc < 0 ? rc : 0;
	if (!json_is_integer(v))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", key, "字段 %s 应为整数", key);
	n = json_integer_value(v);
	if (n < min || n > max)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", key,
				  "字段 %s 应在 %lld 到 %lld 之间", key, (long long)min,
				  (long long)max);
	*out = n;
	if (present)
		*present = 1;
	return 0;
}

int fq_json_get_real(json_t *obj, const char *key, enum fq_json_need need, double min, double max,
		     double *out, int *present, struct fq_err *err)
{
	json_t *v = json_object_get(obj, key);
	int rc = missing(v, key, need, err);
	double d;

	if (present)
		*present = 0;
	if (rc)
		return rc < 0 ? rc : 0;
	if (!json_is_number(v))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", key, "字段 %s 应为数字", key);
	d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", key, "字段 %s 应在 %g 到 %g 之间",
				  key, min, max);
	*out = d;
	if (present)
		*present = 1;
	return 0;
}

int fq_json_get_bool(json_t *obj, const char *key, enum fq_json_need need, int *out, int *present,
		     struct fq_err *err)
{
	json_t *v = json_object_get(obj, key);
	int rc = missing(v, key, need, err);

	if (present)
		*present = 0;
	if (rc)
		return rc < 0 ? rc : 0;
	if (!json_is_boolean(v))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", key, "字段 %s 应为 true 或 false",
				  key);
	*out = json_is_true(v);
	if (present)
		*present = 1;
	return 0;
}

int fq_json_get_str_array(json_t *obj, const char *key, enum fq_json_need need, size_t max_items,
			  json_t **out, struct fq_err *err)
{
	json_t *v = json_object_get(obj, key);
	int rc = missing(v, key, need, err);
	size_t i;
	json_t *item;

	*out = NULL;
	if (rc)
		return rc < 0 ? rc : 0;
	if (!json_is_array(v))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", key, "字段 %s 应为数组", key);
	if (json_array_size(v) > max_items)
		return fq_err_set(err, FQ_EINVAL, "too_many", key, "字段 %s 最多 %zu 项", key,
				  max_items);
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item))
			return fq_err_set(err, FQ_EINVAL, "invalid_type", key,
					  "字段 %s 的每一项应为字符串", key);
	}
	*out = v;
	return 0;
}

int fq_json_only_keys(json_t *obj, const char *const *allowed, struct fq_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		const char *const *a = allowed;
		(void)v;
		while (*a && strcmp(*a, key) != 0)
			a++;
		if (!*a)
			return fq_err_set(err, FQ_EINVAL, "unknown_field", key, "未知字段：%s",
					  key);
	}
	return 0;
}
