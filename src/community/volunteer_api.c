/* Volunteers (群防群治): API (community/volunteer.h, docs/volunteers.md). */
#include "http/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/field.h"
#include "community/volunteer.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/events.h"
#include "core/banned.h"

#define DAY_MS (24LL * 3600 * 1000)

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* Phones of members are for those who keep the groups. */
static int masks_phones(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_VOLUNTEER_KEEP);
}

static int time_field(struct fq_req *r, const char *key, enum fq_json_need need, int64_t *out)
{
	const char *s = NULL;
	int rc = fq_json_get_str(r->body, key, need, 64, &s, &r->err);

	*out = 0;
	if (!rc && s)
		rc = fq_time_parse(s, out, key, &r->err);
	return rc;
}

static int time_query(struct fq_req *r, const char *name, int64_t *out)
{
	const char *s = nonempty(fq_req_query(r, name));
	*out = 0;
	return s ? fq_time_parse(s, out, name, &r->err) : 0;
}

/* An optional {"lat","lon"} member; NAN when absent or null. */
static int location_field(struct fq_req *r, json_t *obj, double *lat, double *lon)
{
	json_t *loc = json_object_get(obj, "location");
	int rc;

	*lat = *lon = NAN;
	if (!loc || json_is_null(loc))
		return 0;
	if (!json_is_object(loc))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "location",
				  "location 应为 {\"lat\",\"lon\"}");
	if ((rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, lat, NULL, &r->err)) ||
	    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, lon, NULL, &r->err)))
		return rc;
	return 0;
}

/* Run fn in a write transaction with an audit entry; object_id names what was written. */
struct write_ctx {
	enum fq_action action;
	const char *what, *object_type;
	const char *object_id;
	json_t *detail;
};

static int audited(struct fq_req *r, struct fq_dbc *c, int rc, struct write_ctx *w)
{
	if (!rc)
		rc = fq_req_audit(r, c, w->action, w->what, w->object_type, w->object_id, NULL,
				  w->detail);
	else
		json_decref(w->detail);
	w->detail = NULL;
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	return rc;
}

/* ---- groups ---- */

static int list_groups(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t page, per_page;
	const char *kind = nonempty(fq_req_query(r, "kind"));
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_READ)) ||
	    (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	if (kind && !fq_volunteer_kind_label(kind))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "kind", "未知的队伍类别");
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_vgroup_list(c, path, NULL, kind, page, per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const group_keys[] = {"name",  "kind",   "unit",    "leader_name",
					 "notes", "active", "version", NULL};

static int post_group(struct fq_req *r)
{
	struct fq_vgroup_new in = {0};
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_KEEP)) ||
	    (rc = fq_json_only_keys(r->body, group_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_REQUIRED, FQ_VOLUNTEER_NAME_MAX,
				  &in.name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "kind", FQ_JSON_REQUIRED, 32, &in.kind, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_REQUIRED, FQ_UNIT_CODE_MAX - 1,
				  &in.unit_code, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "leader_name", FQ_JSON_OPTIONAL, FQ_VOLUNTEER_NAME_MAX,
				  &in.leader_name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "notes", FQ_JSON_OPTIONAL, FQ_VOLUNTEER_TEXT_MAX,
				  &in.notes, &r->err)))
		return rc;
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		struct write_ctx w = {
		    FQ_ACT_VOLUNTEER_KEEP, "volunteer_group.create", "volunteer_group", id,
		    json_pack("{s:s, s:s}", "name", in.name, "unit", in.unit_code)};
		rc = audited(r, c, fq_vgroup_create(c, &in, r->user->unit_path, id, &r->err), &w);
	}
	if (!rc)
		rc = fq_vgroup_json(c, id, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "group", out));
}

static int get_group(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_vgroup_unit_path, r->params[0], "队伍不存在");
	if (!rc)
		rc = fq_vgroup_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "group", out));
}

static int patch_group(struct fq_req *r)
{
	const char *name = NULL, *leader = NULL, *notes = NULL;
	int64_t version = 0;
	int active = -1, present = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_KEEP)) ||
	    (rc = fq_json_only_keys(r->body, group_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_OPTIONAL, FQ_VOLUNTEER_NAME_MAX, &name,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "leader_name", FQ_JSON_OPTIONAL, FQ_VOLUNTEER_NAME_MAX,
				  &leader, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "notes", FQ_JSON_OPTIONAL, FQ_VOLUNTEER_TEXT_MAX, &notes,
				  &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "active", FQ_JSON_OPTIONAL, &active, &present,
				   &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	if (json_object_get(r->body, "kind") || json_object_get(r->body, "unit"))
		return fq_err_set(&r->err, FQ_EINVAL, "read_only",
				  json_object_get(r->body, "kind") ? "kind" : "unit",
				  "队伍类别和所属单位不能修改");
	if (!present)
		active = -1;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_vgroup_unit_path, r->params[0], "队伍不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		struct write_ctx w = {FQ_ACT_VOLUNTEER_KEEP, "volunteer_group.update",
				      "volunteer_group", r->params[0], NULL};
		rc = audited(r, c,
			     fq_vgroup_update(c, r->params[0], version, name, leader, notes, active,
					      fq_now_ms(), &r->err),
			     &w);
	}
	if (!rc)
		rc = fq_vgroup_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "group", out));
}

/* ---- members ---- */

static int list_members(struct fq_req *r)
{
	struct fq_vmember_query q = {.group_id = nonempty(fq_req_query(r, "group_id")),
				     .q = nonempty(fq_req_query(r, "q")),
				     .active = -1};
	const char *active = nonempty(fq_req_query(r, "active"));
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) ||
	    (rc = time_query(r, "from", &q.from_ms)) || (rc = time_query(r, "to", &q.to_ms)))
		return rc;
	if (active) {
		if (strcmp(active, "0") != 0 && strcmp(active, "1") != 0)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "active",
					  "active 应为 0 或 1");
		q.active = active[0] == '1';
	}
	if (!q.from_ms)
		q.from_ms = fq_now_ms() - 365 * DAY_MS;
	q.mask_phones = masks_phones(r);
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	q.scope_path = path;
	if (!rc)
		rc = fq_vmember_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const member_keys[] = {"group_id",  "name",	 "phone",   "person_id", "user_id",
					  "joined_on", "active", "version", NULL};

static int post_member(struct fq_req *r)
{
	struct fq_vmember_new in = {0};
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_KEEP)) ||
	    (rc = fq_json_only_keys(r->body, member_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "group_id", FQ_JSON_REQUIRED, 36, &in.group_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_OPTIONAL, FQ_VOLUNTEER_NAME_MAX,
				  &in.name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "phone", FQ_JSON_OPTIONAL, 64, &in.phone, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "person_id", FQ_JSON_OPTIONAL, 36, &in.person_id,
				  &r->err)) ||
	    (rc =
		 fq_json_get_str(r->body, "user_id", FQ_JSON_OPTIONAL, 36, &in.user_id, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "joined_on", FQ_JSON_OPTIONAL, 10, &in.joined_on,
				  &r->err)))
		return rc;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		struct write_ctx w = {FQ_ACT_VOLUNTEER_KEEP, "volunteer_member.create",
				      "volunteer_member", id,
				      json_pack("{s:s}", "group_id", in.group_id)};
		rc = audited(r, c, fq_vmember_create(c, &in, r->user->unit_path, id, &r->err), &w);
	}
	if (!rc)
		rc = fq_vmember_json(c, id, 0, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "member", out));
}

static int get_member(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_vmember_unit_path, r->params[0], "队员不存在");
	if (!rc)
		rc = fq_vmember_json(c, r->params[0], masks_phones(r), &out, &r->err);
	fq_db_release(r->db, c);
	if (!rc && (rc = fq_req_audit_read(r, "volunteer_member", r->params[0], NULL)))
		json_decref(out);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "member", out));
}

static int patch_member(struct fq_req *r)
{
	const char *name = NULL, *phone = NULL;
	int64_t version = 0;
	int active = -1, present = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_KEEP)) ||
	    (rc = fq_json_only_keys(r->body, member_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_OPTIONAL, FQ_VOLUNTEER_NAME_MAX, &name,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "phone", FQ_JSON_OPTIONAL, 64, &phone, &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "active", FQ_JSON_OPTIONAL, &active, &present,
				   &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	if (!present)
		active = -1;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_vmember_unit_path, r->params[0], "队员不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		struct write_ctx w = {FQ_ACT_VOLUNTEER_KEEP, "volunteer_member.update",
				      "volunteer_member", r->params[0], NULL};
		rc = audited(r, c,
			     fq_vmember_update(c, r->params[0], version, name, phone, active,
					       fq_now_ms(), &r->err),
			     &w);
	}
	if (!rc)
		rc = fq_vmember_json(c, r->params[0], 0, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "member", out));
}

/* ---- tasks ---- */

static const char *const statuses[] = {"upcoming", "ongoing", "done", "missed", "cancelled", NULL};

static int list_tasks(struct fq_req *r)
{
	struct fq_vtask_query q = {.group_id = nonempty(fq_req_query(r, "group_id")),
				   .member_id = nonempty(fq_req_query(r, "member_id")),
				   .status = nonempty(fq_req_query(r, "status"))};
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int ok = 0, rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) ||
	    (rc = time_query(r, "from", &q.from_ms)) || (rc = time_query(r, "to", &q.to_ms)))
		return rc;
	if (q.from_ms && q.to_ms && q.to_ms <= q.from_ms) /* an empty period: say so */
		return fq_err_set(&r->err, FQ_EINVAL, "before_start", "to", "to 应晚于 from");
	for (int i = 0; q.status && statuses[i]; i++)
		ok |= strcmp(q.status, statuses[i]) == 0;
	if (q.status && !ok)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "status",
				  "status 应为 upcoming、ongoing、done、missed 或 cancelled");
	q.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	q.scope_path = path;
	if (!rc)
		rc = fq_vtask_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const task_keys[] = {"group_id",  "kind",	"title",      "area", "location",
					"starts_at", "ends_at", "member_ids", NULL};

static int post_task(struct fq_req *r)
{
	struct fq_vtask_new in = {0};
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_KEEP)) ||
	    (rc = fq_json_only_keys(r->body, task_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "group_id", FQ_JSON_REQUIRED, 36, &in.group_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "kind", FQ_JSON_REQUIRED, 16, &in.kind, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "title", FQ_JSON_REQUIRED, FQ_VOLUNTEER_NAME_MAX,
				  &in.title, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "area", FQ_JSON_REQUIRED, 200, &in.area, &r->err)) ||
	    (rc = time_field(r, "starts_at", FQ_JSON_REQUIRED, &in.starts_at)) ||
	    (rc = time_field(r, "ends_at", FQ_JSON_REQUIRED, &in.ends_at)) ||
	    (rc = location_field(r, r->body, &in.lat, &in.lon)))
		return rc;
	in.member_ids = json_object_get(r->body, "member_ids");
	if (json_is_null(in.member_ids) ||
	    (json_is_array(in.member_ids) && json_array_size(in.member_ids) == 0))
		in.member_ids = NULL;
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		struct write_ctx w = {
		    FQ_ACT_VOLUNTEER_KEEP, "volunteer_task.create", "volunteer_task", id,
		    json_pack("{s:s, s:s}", "group_id", in.group_id, "kind", in.kind)};
		rc = audited(r, c, fq_vtask_create(c, &in, r->user->unit_path, id, &r->err), &w);
	}
	if (!rc)
		rc = fq_vtask_json(c, id, masks_phones(r), in.now_ms, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "volunteer_task.created", FQ_ACT_VOLUNTEER_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "task", out));
}

/*
 * Who acts on a task: with volunteer.keep, the member named (member_id)
 * or nobody; otherwise (volunteer.duty) the caller's own member on the task.
 * A task outside scope, or one the volunteer is not on, answers 404.
 */
static int task_actor(struct fq_req *r, struct fq_dbc *c, const char *member_id, int need_member,
		      char member[37])
{
	int rc;

	member[0] = '\0';
	if (fq_roles_can(r->user->roles, FQ_ACT_VOLUNTEER_KEEP)) {
		rc = fq_req_object_scope(r, c, fq_vtask_unit_path, r->params[0], "任务不存在");
		if (rc)
			return rc;
		if (member_id)
			snprintf(member, 37, "%s", member_id);
		else if (need_member)
			return fq_err_set(&r->err, FQ_EINVAL, "missing_field", "member_id",
					  "请选择队员");
		return 0;
	}
	if (!fq_roles_can(r->user->roles, FQ_ACT_VOLUNTEER_DUTY))
		return fq_req_require(r, FQ_ACT_VOLUNTEER_KEEP);
	if (member_id)
		return fq_err_set(&r->err, FQ_EFORBIDDEN, "forbidden", "member_id",
				  "只能为自己签到签退");
	rc = fq_vtask_member_of_user(c, r->params[0], r->user->user_id, member, &r->err);
	return rc;
}

static int get_task(struct fq_req *r)
{
	char member[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if (!fq_roles_can(r->user->roles, FQ_ACT_VOLUNTEER_READ) &&
	    !fq_roles_can(r->user->roles, FQ_ACT_VOLUNTEER_DUTY))
		return fq_req_require(r, FQ_ACT_VOLUNTEER_READ);
	c = fq_db_acquire(r->db);
	if (fq_roles_can(r->user->roles, FQ_ACT_VOLUNTEER_READ))
		rc = fq_req_object_scope(r, c, fq_vtask_unit_path, r->params[0], "任务不存在");
	else
		rc = fq_vtask_member_of_user(c, r->params[0], r->user->user_id, member, &r->err);
	if (!rc)
		rc = fq_vtask_json(c, r->params[0], masks_phones(r), fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "task", out));
}

static const char *const cancel_keys[] = {"reason", "version", NULL};

static int post_cancel(struct fq_req *r)
{
	const char *reason = NULL;
	int64_t version = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_KEEP)) ||
	    (rc = fq_json_only_keys(r->body, cancel_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "reason", FQ_JSON_REQUIRED, FQ_VOLUNTEER_TEXT_MAX,
				  &reason, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_vtask_unit_path, r->params[0], "任务不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		struct write_ctx w = {FQ_ACT_VOLUNTEER_KEEP, "volunteer_task.cancel",
				      "volunteer_task", r->params[0], NULL};
		rc = audited(r, c, fq_vtask_cancel(c, r->params[0], version, reason, &r->err), &w);
	}
	if (!rc)
		rc = fq_vtask_json(c, r->params[0], masks_phones(r), fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "volunteer_task.updated", FQ_ACT_VOLUNTEER_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "task", out));
}

static const char *const turn_keys[] = {"member_id", "location", NULL};

static int check_in_out(struct fq_req *r, int in)
{
	const char *member_id = NULL;
	char member[37];
	double lat, lon;
	int64_t minutes = 0, now = fq_now_ms();
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_json_only_keys(r->body, turn_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "member_id", FQ_JSON_OPTIONAL, 36, &member_id,
				  &r->err)) ||
	    (rc = location_field(r, r->body, &lat, &lon)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = task_actor(r, c, member_id, 1, member);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		struct write_ctx w = {fq_roles_can(r->user->roles, FQ_ACT_VOLUNTEER_KEEP)
					  ? FQ_ACT_VOLUNTEER_KEEP
					  : FQ_ACT_VOLUNTEER_DUTY,
				      in ? "volunteer_task.check_in" : "volunteer_task.check_out",
				      "volunteer_task", r->params[0], NULL};
		rc = in ? fq_vtask_check_in(c, r->params[0], member, lat, lon, r->user->user_id,
					    now, &r->err)
			: fq_vtask_check_out(c, r->params[0], member, lat, lon, now, &minutes,
					     &r->err);
		if (!rc)
			w.detail = in ? json_pack("{s:s}", "member_id", member)
				      : json_pack("{s:s, s:I}", "member_id", member, "minutes",
						  (json_int_t)minutes);
		rc = audited(r, c, rc, &w);
	}
	if (!rc)
		rc = fq_vtask_json(c, r->params[0], masks_phones(r), now, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "volunteer_task.updated", FQ_ACT_VOLUNTEER_READ, out, NULL);
	return fq_req_reply(r, 200,
			    in ? json_pack("{s:o, s:s}", "task", out, "member_id", member)
			       : json_pack("{s:o, s:s, s:I}", "task", out, "member_id", member,
					   "minutes", (json_int_t)minutes));
}

static int post_check_in(struct fq_req *r)
{
	return check_in_out(r, 1);
}

static int post_check_out(struct fq_req *r)
{
	return check_in_out(r, 0);
}

static const char *const clue_keys[] = {"text", "location", "member_id", NULL};

static int post_task_clue(struct fq_req *r)
{
	const char *text = NULL, *member_id = NULL;
	char member[37], clue[37];
	double lat, lon;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CLUE_REPORT)) ||
	    (rc = fq_json_only_keys(r->body, clue_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "text", FQ_JSON_REQUIRED, FQ_FIELD_TEXT_MAX, &text,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "member_id", FQ_JSON_OPTIONAL, 36, &member_id,
				  &r->err)) ||
	    (rc = location_field(r, r->body, &lat, &lon)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = task_actor(r, c, member_id, 0, member);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		struct write_ctx w = {FQ_ACT_CLUE_REPORT, "clue.create", "clue", clue, NULL};
		rc = fq_vtask_report_clue(c, r->params[0], *member ? member : NULL, text, lat, lon,
					  r->user->user_id, fq_now_ms(), clue, &r->err);
		if (!rc)
			w.detail =
			    json_pack("{s:s, s:s}", "source", "volunteer", "task_id", r->params[0]);
		rc = audited(r, c, rc, &w);
	}
	if (!rc)
		rc = fq_clue_json(c, clue, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "clue.created", FQ_ACT_FIELD_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "clue", out));
}

/*
 * A volunteer's own page: their member records, tasks from yesterday to
 * two weeks ahead (earliest first) and their hours of the last 30 days and
 * of the year.
 */
static int get_duty(struct fq_req *r)
{
	int64_t now = fq_now_ms();
	struct fq_dbc *c;
	json_t *ids = NULL, *tasks = json_array(), *members = json_array();
	int64_t m30 = 0, m365 = 0, turns = 0;
	size_t i;
	json_t *id;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_DUTY)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_vmember_ids_of_user(c, r->user->user_id, &ids, &r->err);
	json_array_foreach(ids, i, id)
	{
		struct fq_vtask_query q = {.scope_path = "/",
					   .member_id = json_string_value(id),
					   .from_ms = now - DAY_MS,
					   .to_ms = now + 14 * DAY_MS,
					   .now_ms = now,
					   .ascending = 1,
					   .page = 1,
					   .per_page = 100};
		json_t *list = NULL, *m = NULL, *it;
		size_t k;
		if (rc)
			break;
		rc = fq_vtask_list(c, &q, &list, &r->err);
		if (!rc) {
			json_array_foreach(json_object_get(list, "items"), k, it)
			{
				json_t *full = NULL;
				if ((rc = fq_vtask_json(
					 c, json_string_value(json_object_get(it, "id")), 1, now,
					 &full, &r->err)))
					break;
				json_object_set_new(full, "member_id", json_copy(id));
				json_array_append_new(tasks, full);
			}
			json_decref(list);
		}
		if (!rc)
			rc = fq_vmember_json(c, json_string_value(id), 1, &m, &r->err);
		if (!rc)
			json_array_append_new(members, m);
	}
	if (!rc)
		rc = fq_vmember_hours_of_user(c, r->user->user_id, now, &m30, &m365, &turns,
					      &r->err);
	fq_db_release(r->db, c);
	json_decref(ids);
	if (rc) {
		json_decref(tasks);
		json_decref(members);
		return rc;
	}
	return fq_req_reply(r, 200,
			    json_pack("{s:o, s:o, s:{s:I, s:f, s:I, s:f, s:I}}", "members", members,
				      "tasks", tasks, "hours", "minutes_30d", (json_int_t)m30,
				      "hours_30d", (double)m30 / 60.0, "minutes_365d",
				      (json_int_t)m365, "hours_365d", (double)m365 / 60.0,
				      "turns_365d", (json_int_t)turns));
}

static int get_kpi(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t from = 0, to = 0, now = fq_now_ms();
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_VOLUNTEER_READ)) ||
	    (rc = time_query(r, "from", &from)) || (rc = time_query(r, "to", &to)))
		return rc;
	if (!to)
		to = now;
	if (!from)
		from = to - 365 * DAY_MS;
	if (to <= from)
		return fq_err_set(&r->err, FQ_EINVAL, "before_start", "to", "to 应晚于 from");
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_volunteer_kpi_json(c, path, from, to, now, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

const struct fq_route fq_volunteer_routes[] = {
    {"GET", "/api/v1/volunteer-groups", list_groups, 0},
    {"POST", "/api/v1/volunteer-groups", post_group, 0},
    {"GET", "/api/v1/volunteer-groups/:id", get_group, 0},
    {"PATCH", "/api/v1/volunteer-groups/:id", patch_group, 0},
    {"GET", "/api/v1/volunteer-members", list_members, 0},
    {"POST", "/api/v1/volunteer-members", post_member, 0},
    {"GET", "/api/v1/volunteer-members/:id", get_member, 0},
    {"PATCH", "/api/v1/volunteer-members/:id", patch_member, 0},
    {"GET", "/api/v1/volunteer-tasks", list_tasks, 0},
    {"POST", "/api/v1/volunteer-tasks", post_task, 0},
    {"GET", "/api/v1/volunteer-tasks/:id", get_task, 0},
    {"POST", "/api/v1/volunteer-tasks/:id/cancel", post_cancel, 0},
    {"POST", "/api/v1/volunteer-tasks/:id/check-in", post_check_in, 0},
    {"POST", "/api/v1/volunteer-tasks/:id/check-out", post_check_out, 0},
    {"POST", "/api/v1/volunteer-tasks/:id/clues", post_task_clue, 0},
    {"GET", "/api/v1/volunteer-duty", get_duty, 0},
    {"GET", "/api/v1/kpi/volunteers", get_kpi, 0},
    {NULL, NULL, NULL, 0},
};
