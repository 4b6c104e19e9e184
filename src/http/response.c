#include "http/response.h"

#include <string.h>

#include "core/banned.h"

int fq_http_status_for(int code, const char *machine)
{
	switch (code) {
	case FQ_EINVAL:
		return 400;
	case FQ_EAUTH:
		return 401;
	case FQ_EFORBIDDEN:
		return 403;
	case FQ_ENOTFOUND:
		return 404;
	case FQ_EMETHOD:
		return 405;
	case FQ_ECONFLICT:
		return 409;
	case FQ_ETOOBIG:
		return machine && strcmp(machine, "header_too_large") == 0 ? 431 : 413;
	case FQ_EMEDIA:
		return 415;
	case FQ_EUNPROC:
		return 422;
	case FQ_ERATE:
		return 429;
	case FQ_EUNAVAIL:
		return 503;
	case FQ_EDB:
		return machine && strcmp(machine, "store_busy") == 0 ? 503 : 500;
	default:
		return 500;
	}
}

json_t *fq_http_error_body(const struct fq_err *err, int status)
{
	json_t *e = json_object();

	if (status >= 500 && status != 503) {
		json_object_set_new(e, "code", json_string("internal"));
		json_object_set_new(e, "message",
				    json_string("服务器内部错误，请稍后重试或联系管理员"));
	} else {
		json_object_set_new(e, "code",
				    json_string(err->machine[0]
						    ? err->machine
						    : fq_err_default_machine(err->code)));
		json_object_set_new(e, "message",
				    json_string(err->message[0] ? err->message : "请求失败"));
		if (err->field[0])
			json_object_set_new(e, "field", json_string(err->field));
	}
	return json_pack("{s:o}", "error", e);
}
