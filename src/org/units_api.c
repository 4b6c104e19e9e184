/* GET /api/v1/units and /api/v1/units/CODE. */
#include "http/api.h"

#include <string.h>

#include "org/units.h"
#include "core/banned.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* A 0/1 flag from the query string, default 1. */
static int flag_arg(struct fq_req *r, const char *name, int *out)
{
	const char *v = fq_req_query(r, name);
	*out = 1;
	if (!v || !*v)
		return 0;
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", name, "参数 %s 应为 0 或 1",
				  name);
	*out = v[0] == '1';
	return 0;
}

static int get_unit(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int children, boundary, rc;

	if ((rc = fq_req_require(r, FQ_ACT_UNIT_READ)) ||
	    (rc = flag_arg(r, "children", &children)) || (rc = flag_arg(r, "boundary", &boundary)))
		return rc;
	if (!fq_unit_code_valid(r->params[0]))
		return fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "单位不存在");
	c = fq_db_acquire(r->db);
	rc = fq_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (!rc)
		rc = fq_unit_json(c, r->params[0], children, boundary, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc == FQ_ENOTFOUND)
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "单位不存在");
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int list_units(struct fq_req *r)
{
	const char *parent = nonempty(fq_req_query(r, "parent"));
	const char *kind = nonempty(fq_req_query(r, "kind"));
	const char *b = fq_req_query(r, "boundary");
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int boundary, rc;

	if ((rc = fq_req_require(r, FQ_ACT_UNIT_READ)) || (rc = flag_arg(r, "boundary", &boundary)))
		return rc;
	/* Lists leave boundaries out unless asked. */
	boundary = b && b[0] == '1';
	c = fq_db_acquire(r->db);
	if (parent) {
		rc = fq_unit_path(c, parent, path, &r->err);
		if (!rc)
			rc = fq_req_require_scope(r, path);
		if (rc == FQ_ENOTFOUND)
			fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", "parent", "上级单位不存在");
	}
	if (!rc)
		rc = fq_unit_list(c, r->user->unit_path, parent, kind, boundary, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

const struct fq_route fq_unit_routes[] = {
    {"GET", "/api/v1/units", list_units, 0},
    {"GET", "/api/v1/units/:code", get_unit, 0},
    {NULL, NULL, NULL, 0},
};
