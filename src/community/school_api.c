/* School posts (护学岗): API (community/school.h, docs/volunteers.md). */
#include "http/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/school.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/events.h"
#include "community/registry.h"
#include "core/banned.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* Commit after an audit entry, or roll back; detail is taken over. */
static int finish(struct fq_req *r, struct fq_dbc *c, int rc, enum fq_action action,
		  const char *what, const char *type, const char *id, json_t *detail)
{
	if (!rc)
		rc = fq_req_audit(r, c, action, what, type, id, NULL, detail);
	else
		json_decref(detail);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	return rc;
}

/* "HH:MM" → minutes of the day (24:00 allowed for an end). */
static int minutes_field(struct fq_req *r, const char *key, int *out)
{
	const char *s = NULL;
	int h, m, n = 0;
	int rc = fq_json_get_str(r->body, key, FQ_JSON_REQUIRED, 5, &s, &r->err);

	if (rc)
		return rc;
	if (strlen(s) != 5 || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 || h < 0 ||
	    h > 24 || m < 0 || m > 59 || (h == 24 && m != 0))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", key, "%s 应为 HH:MM", key);
	*out = h * 60 + m;
	return 0;
}

/* ---- schools ---- */

static int list_schools(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_READ)) || (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_school_list(c, path, page, per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const school_keys[] = {"organisation_id", "name",   "unit",
					  "address",	     "pupils", NULL};

static int post_school(struct fq_req *r)
{
	struct fq_school_new in = {0};
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, school_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "organisation_id", FQ_JSON_OPTIONAL, 36,
				  &in.organisation_id, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_OPTIONAL, 64, &in.name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1,
				  &in.unit_code, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "address", FQ_JSON_OPTIONAL, 200, &in.address,
				  &r->err)) ||
	    (rc = fq_json_get_int(r->body, "pupils", FQ_JSON_OPTIONAL, 0, 100000, &in.pupils, NULL,
				  &r->err)))
		return rc;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc)
		rc = finish(r, c, fq_school_create(c, &in, r->user->unit_path, id, &r->err),
			    FQ_ACT_SCHOOL_MANAGE, "school.create", "school", id, NULL);
	if (!rc)
		rc = fq_school_json(c, id, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "school", out));
}

/* ---- posts ---- */

static int list_posts(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_READ)) || (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_spost_list(c, path, nonempty(fq_req_query(r, "school_id")), page, per_page,
				   &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const post_keys[] = {"school_id", "name", "location", NULL};

static int post_post(struct fq_req *r)
{
	const char *school = NULL, *name = NULL;
	double lat = NAN, lon = NAN;
	json_t *out = NULL;
	char id[37];
	struct fq_dbc *c;
	int located, rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, post_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "school_id", FQ_JSON_REQUIRED, 36, &school, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_REQUIRED, 32, &name, &r->err)))
		return rc;
	if ((rc = fq__location_arg(r->body, &located, &lat, &lon, &r->err)))
		return rc;
	if (!located)
		lat = lon = NAN;
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc)
		rc = finish(r, c,
			    fq_spost_create(c, school, name, lat, lon, r->user->unit_path,
					    fq_now_ms(), id, &r->err),
			    FQ_ACT_SCHOOL_MANAGE, "school_post.create", "school_post", id,
			    json_pack("{s:s}", "school_id", school));
	if (!rc)
		rc = fq_spost_json(c, id, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "post", out));
}

static int get_post(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_spost_unit_path, r->params[0], "岗点不存在");
	if (!rc)
		rc = fq_spost_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "post", out));
}

/* Change a post under scope in one audited transaction, answering the post. */
static int change_post(struct fq_req *r, int rc_in, int (*change)(struct fq_req *, struct fq_dbc *),
		       const char *what)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc = rc_in;

	if (rc)
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_spost_unit_path, r->params[0], "岗点不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc)
		rc = finish(r, c, change(r, c), FQ_ACT_SCHOOL_MANAGE, what, "school_post",
			    r->params[0], r->body ? json_deep_copy(r->body) : NULL);
	if (!rc)
		rc = fq_spost_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "school_post.updated", FQ_ACT_SCHOOL_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "post", out));
}

static const char *const session_keys[] = {"label", "weekdays", "start", "end", NULL};

static int add_session(struct fq_req *r, struct fq_dbc *c)
{
	const char *label = NULL;
	int64_t weekdays = FQ_SCHOOL_WEEKDAYS;
	int start = 0, end = 0, rc;
	char id[37];

	if ((rc = fq_json_get_str(r->body, "label", FQ_JSON_REQUIRED, 16, &label, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "weekdays", FQ_JSON_OPTIONAL, 1, 127, &weekdays, NULL,
				  &r->err)) ||
	    (rc = minutes_field(r, "start", &start)) || (rc = minutes_field(r, "end", &end)))
		return rc;
	return fq_ssession_add(c, r->params[0], label, (int)weekdays, start, end, fq_now_ms(), id,
			       &r->err);
}

static int post_session(struct fq_req *r)
{
	int rc = fq_req_require(r, FQ_ACT_SCHOOL_MANAGE);
	if (!rc)
		rc = fq_json_only_keys(r->body, session_keys, &r->err);
	return change_post(r, rc, add_session, "school_post.session_add");
}

static int stop_session(struct fq_req *r, struct fq_dbc *c)
{
	return fq_ssession_stop(c, r->params[0], r->params[1], &r->err);
}

static int delete_session(struct fq_req *r)
{
	return change_post(r, fq_req_require(r, FQ_ACT_SCHOOL_MANAGE), stop_session,
			   "school_post.session_stop");
}

static const char *const assign_keys[] = {"kind", "ref_id", NULL};

static int assign(struct fq_req *r, struct fq_dbc *c)
{
	const char *kind = NULL, *ref = NULL;
	int rc;

	if ((rc = fq_json_get_str(r->body, "kind", FQ_JSON_REQUIRED, 8, &kind, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "ref_id", FQ_JSON_REQUIRED, 36, &ref, &r->err)))
		return rc;
	return fq_spost_assign(c, r->params[0], kind, ref, r->user->unit_path, fq_now_ms(),
			       &r->err);
}

static int post_assignee(struct fq_req *r)
{
	int rc = fq_req_require(r, FQ_ACT_SCHOOL_MANAGE);
	if (!rc)
		rc = fq_json_only_keys(r->body, assign_keys, &r->err);
	return change_post(r, rc, assign, "school_post.assign");
}

static int unassign(struct fq_req *r, struct fq_dbc *c)
{
	return fq_spost_unassign(c, r->params[0], r->params[1], r->params[2], &r->err);
}

static int delete_assignee(struct fq_req *r)
{
	return change_post(r, fq_req_require(r, FQ_ACT_SCHOOL_MANAGE), unassign,
			   "school_post.unassign");
}

static int get_candidates(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_MANAGE)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_school_candidates_json(c, path, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- the week and attendance ---- */

static int day_query(struct fq_req *r, const char *name, int64_t dflt, int64_t *out)
{
	const char *s = nonempty(fq_req_query(r, name));

	*out = dflt;
	if (s && fq_school_parse_day(s, out))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", name, "%s 应为 YYYY-MM-DD",
				  name);
	return 0;
}

static int get_week(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t day;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_READ)) ||
	    (rc = day_query(r, "date", fq_school_local_day(fq_now_ms()), &day)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_school_week_json(c, path, day - fq_school_weekday(day), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const attend_keys[] = {"session_id", "day",	      "kind", "ref_id",
					  "status",	"arrived_at", "note", NULL};

static int post_attendance(struct fq_req *r)
{
	struct fq_attendance_new in = {0};
	const char *arrived = NULL;
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_ATTEND)) ||
	    (rc = fq_json_only_keys(r->body, attend_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "session_id", FQ_JSON_REQUIRED, 36, &in.session_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "day", FQ_JSON_REQUIRED, 10, &in.day, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "kind", FQ_JSON_REQUIRED, 8, &in.kind, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "ref_id", FQ_JSON_REQUIRED, 36, &in.ref_id, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "status", FQ_JSON_OPTIONAL, 8, &in.status, &r->err)) ||
	    (rc =
		 fq_json_get_str(r->body, "arrived_at", FQ_JSON_OPTIONAL, 64, &arrived, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, 200, &in.note, &r->err)))
		return rc;
	if (arrived && (rc = fq_time_parse(arrived, &in.arrived_at, "arrived_at", &r->err)))
		return rc;
	if (in.status && strcmp(in.status, "absent") == 0 && arrived)
		return fq_err_set(&r->err, FQ_EINVAL, "status_mismatch", "arrived_at",
				  "缺岗不应有到岗时间");
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_attendance_record(c, &in, r->user->unit_path, id, &r->err);
		rc = finish(r, c, rc, FQ_ACT_SCHOOL_ATTEND, "school_attendance.record",
			    "school_attendance", id,
			    rc ? NULL
			       : json_pack("{s:s, s:s, s:s, s:s}", "session_id", in.session_id,
					   "day", in.day, "kind", in.kind, "ref_id", in.ref_id));
	}
	if (!rc)
		rc = fq_attendance_json(c, id, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "school_attendance.recorded", FQ_ACT_SCHOOL_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "attendance", out));
}

static int get_kpi(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t today = fq_school_local_day(fq_now_ms()), from, to;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SCHOOL_READ)) || (rc = day_query(r, "to", today, &to)) ||
	    (rc = day_query(r, "from", to - 29, &from)))
		return rc;
	if (to < from)
		return fq_err_set(&r->err, FQ_EINVAL, "before_start", "to", "to 应不早于 from");
	if (to - from > 366)
		return fq_err_set(&r->err, FQ_EINVAL, "too_long", "from", "统计区间不能超过一年");
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_school_kpi_json(c, path, from, to, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

const struct fq_route fq_school_routes[] = {
    {"GET", "/api/v1/schools", list_schools, 0},
    {"POST", "/api/v1/schools", post_school, 0},
    {"GET", "/api/v1/school-posts", list_posts, 0},
    {"POST", "/api/v1/school-posts", post_post, 0},
    {"GET", "/api/v1/school-posts/:id", get_post, 0},
    {"POST", "/api/v1/school-posts/:id/sessions", post_session, 0},
    {"DELETE", "/api/v1/school-posts/:id/sessions/:session", delete_session, 0},
    {"POST", "/api/v1/school-posts/:id/assignees", post_assignee, 0},
    {"DELETE", "/api/v1/school-posts/:id/assignees/:kind/:ref", delete_assignee, 0},
    {"GET", "/api/v1/school-candidates", get_candidates, 0},
    {"GET", "/api/v1/school-week", get_week, 0},
    {"POST", "/api/v1/school-attendance", post_attendance, 0},
    {"GET", "/api/v1/kpi/school-posts", get_kpi, 0},
    {NULL, NULL, NULL, 0},
};
