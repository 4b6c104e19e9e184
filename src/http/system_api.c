/* Health, roles, the audit log and UI settings. */
#include "http/api.h"

#include <string.h>

#include "command/dispatch.h"
#include "core/embed.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "http/audit.h"
#include "http/server.h"
#include "core/banned.h"

const char *fq_version(void);

static int get_health(struct fq_req *r)
{
	struct fq_err derr = FQ_ERR_INIT;
	int schema = fq_db_schema_version(r->db, &derr);
	int ok = schema >= 0;
	json_t *store;

	store = json_pack("{s:s, s:s}", "status", ok ? "ok" : "unavailable", "backend", "sqlite");
	return fq_req_reply(r, ok ? 200 : 503,
			    json_pack("{s:s, s:s, s:i, s:i, s:o}", "status", ok ? "ok" : "degraded",
				      "version", fq_version(), "schema_version", schema,
				      "schema_latest", fq_db_schema_latest(), "store", store));
}

static int get_roles(struct fq_req *r)
{
	json_t *items = json_array();
	for (int role = 0; role < FQ_ROLE_COUNT; role++) {
		json_t *acts = json_array();
		uint64_t a = fq_roles_actions(FQ_ROLE_BIT(role));
		for (int i = 0; i < FQ_ACT_COUNT; i++)
			if (a & FQ_ACTION_BIT(i))
				json_array_append_new(acts, json_string(fq_action_code(i)));
		json_array_append_new(items,
				      json_pack("{s:s, s:s, s:o}", "code", fq_role_code(role),
						"label", fq_role_label(role), "actions", acts));
	}
	return fq_req_reply(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * What the UI needs to draw and to warn: the tile URL, the travel-time
 * model (the 1/3/5-minute rings around an incident) and the time after
 * which an unacknowledged dispatch is raised (docs/dispatch.md).
 */
static int get_ui_config(struct fq_req *r)
{
	const struct fq_server_config *cfg = fq_server_config(r->srv);
	struct fq_dispatch_config dc;

	fq_dispatch_config_get(&dc);
	return fq_req_reply(r, 200,
			    json_pack("{s:s?, s:s, s:{s:I, s:o}}", "tile_url", cfg->tile_url,
				      "version", fq_version(), "dispatch", "unacknowledged_s",
				      (json_int_t)dc.unacknowledged_s, "eta",
				      fq_eta_config_json(&dc.eta)));
}

static int time_arg(struct fq_req *r, const char *name, int64_t *out)
{
	const char *s = fq_req_query(r, name);
	*out = 0;
	return s && *s ? fq_time_parse(s, out, name, &r->err) : 0;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int get_audit(struct fq_req *r)
{
	struct fq_audit_query q = {0};
	struct fq_dbc *c;
	json_t *out;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_AUDIT_READ)))
		return rc;
	if ((rc = fq_req_page(r, &q.page, &q.per_page)) || (rc = time_arg(r, "from", &q.from_ms)) ||
	    (rc = time_arg(r, "to", &q.to_ms)))
		return rc;
	q.username = nonempty(fq_req_query(r, "user"));
	q.object_type = nonempty(fq_req_query(r, "object_type"));
	q.object_id = nonempty(fq_req_query(r, "object_id"));
	q.action = nonempty(fq_req_query(r, "action"));
	q.scope_path = r->user->unit_path;
	c = fq_db_acquire(r->db);
	rc = fq_audit_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* The OpenAPI 3.1 description of this API (src/http/openapi.json, embedded). */
static int get_openapi(struct fq_req *r)
{
	json_error_t je;
	json_t *doc = json_loadb((const char *)fq_embedded_openapi[0].data,
				 fq_embedded_openapi[0].len, 0, &je);
	if (!doc)
		return fq_err_set(&r->err, FQ_EINTERNAL, "internal", NULL, "openapi.json: %s",
				  je.text);
	return fq_req_reply(r, 200, doc);
}

static int audit_refused(struct fq_req *r)
{
	return fq_err_set(&r->err, FQ_EFORBIDDEN, "audit_append_only", NULL,
			  "审计日志只能追加，任何角色都不能修改或删除");
}

const struct fq_route fq_system_routes[] = {
    {"GET", "/api/v1/health", get_health, FQ_ROUTE_PUBLIC},
    {"GET", "/api/v1/roles", get_roles, 0},
    {"GET", "/api/v1/ui-config", get_ui_config, FQ_ROUTE_PUBLIC},
    {"GET", "/api/v1/audit", get_audit, 0},
    {"PUT", "/api/v1/audit", audit_refused, 0},
    {"PATCH", "/api/v1/audit", audit_refused, 0},
    {"DELETE", "/api/v1/audit", audit_refused, 0},
    {"GET", "/api/v1/openapi.json", get_openapi, FQ_ROUTE_PUBLIC},
    {"PUT", "/api/v1/audit/:seq", audit_refused, 0},
    {"PATCH", "/api/v1/audit/:seq", audit_refused, 0},
    {"DELETE", "/api/v1/audit/:seq", audit_refused, 0},
    {NULL, NULL, NULL, 0},
};
