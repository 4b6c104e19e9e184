#include "core/json.h"

#include <math.h>
#include <string.h>

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

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return fq_buf_add(data, buffer, size) ? -1 : 0;
}

/*
 * Most answers are small: they are serialised into a stack buffer by
 * json_dumpb and appended at once, instead of one callback per token
 * (measured at 7% of the intake benchmark's CPU). Larger ones, which
 * json_dumpb only measured, go through the callback.
 */
#define DUMP_STACK 8192

int fq_json_dump(const json_t *j, struct fq_buf *b)
{
	char stack[DUMP_STACK];
	size_t n = json_dumpb(j, stack, sizeof(stack), FQ_JSON_DUMP_FLAGS);

	if (n == 0)
		return FQ_ETOOBIG; /* jansson could not serialise it (or it is empty) */
	if (n <= sizeof(stack))
		return fq_buf_add(b, stack, n);
	return json_dump_callback(j, dump_cb, b, FQ_JSON_DUMP_FLAGS) ? FQ_ETOOBIG : 0;
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
