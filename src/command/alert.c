#include "command/alert.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/incident.h"
#include "org/rights.h"
#include "core/alloc.h"
#include "core/geo.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/banned.h"

static const struct {
	const char *code;
	const char *label;
} sources[FQ_ALERT_SOURCE_COUNT] = {
    [FQ_ALERT_SOURCE_PHONE_110] = {"phone_110", "110 转警"},
    [FQ_ALERT_SOURCE_WALK_IN] = {"walk_in", "来所报警"},
    [FQ_ALERT_SOURCE_PATROL] = {"patrol", "巡逻发现"},
    [FQ_ALERT_SOURCE_APP] = {"app", "网络/微信报警"},
    [FQ_ALERT_SOURCE_VIDEO] = {"video", "视频巡查"},
    [FQ_ALERT_SOURCE_OTHER] = {"other", "其他"},
};

const char *fq_alert_source_code(enum fq_alert_source s)
{
	return (unsigned)s < FQ_ALERT_SOURCE_COUNT ? sources[s].code : NULL;
}

const char *fq_alert_source_label(enum fq_alert_source s)
{
	return (unsigned)s < FQ_ALERT_SOURCE_COUNT ? sources[s].label : NULL;
}

int fq_alert_source_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_ALERT_SOURCE_COUNT; s++)
		if (strcmp(sources[s].code, code) == 0)
			return s;
	return -1;
}

/* ---- parsing ---- */

static int normalized(struct fq_pool *pool, const char *s, const char *field, const char **out,
		      struct fq_err *err)
{
	struct fq_buf b;
	int rc;

	fq_buf_init(&b, 64 * 1024);
	rc = fq_text_normalize(s, strlen(s), &b, err);
	if (rc) {
		fq_buf_release(&b);
		if (err)
			snprintf(err->field, sizeof(err->field), "%s", field);
		return rc;
	}
	*out = fq_pool_strndup(pool, b.buf, b.len);
	fq_buf_release(&b);
	return 0;
}

static const char *const alert_keys[] = {
    "received_at", "source",   "caller_name", "caller_phone", "location", "address", "category",
    "description", "priority", "unit",	      "incident_id",  "extra",	  NULL};

int fq_alert_parse(json_t *body, int for_match, struct fq_pool *pool, struct fq_alert_in *out,
		   struct fq_err *err)
{
	const char *s = NULL, *code = NULL;
	json_t *loc, *extra;
	int64_t prio = 0;
	int present = 0, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = fq_json_only_keys(body, alert_keys, err)))
		return rc;
	if ((rc = fq_json_get_str(body, "received_at",
				  for_match ? FQ_JSON_OPTIONAL : FQ_JSON_REQUIRED, 64, &s, err)))
		return rc;
	if (s) {
		if ((rc = fq_time_parse(s, &out->received_at, "received_at", err)))
			return rc;
		if (out->received_at > fq_now_ms() + 5 * 60 * 1000)
			return fq_err_set(err, FQ_EINVAL, "in_future", "received_at",
					  "接警时间不能晚于当前时间");
	} else {
		out->received_at = fq_now_ms();
	}
	if ((rc = fq_json_get_str(body, "source", for_match ? FQ_JSON_OPTIONAL : FQ_JSON_REQUIRED,
				  32, &s, err)))
		return rc;
	if (s) {
		int src = fq_alert_source_from_code(s);
		if (src < 0)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "source",
					  "报警来源应为 phone_110、walk_in、patrol、app、video "
					  "或 other");
		out->source = src;
	} else {
		out->source = FQ_ALERT_SOURCE_OTHER;
	}
	if ((rc = fq_json_get_str(body, "caller_name", FQ_JSON_OPTIONAL, FQ_ALERT_NAME_MAX,
				  &out->caller_name, err)) ||
	    (rc = fq_json_get_str(body, "caller_phone", FQ_JSON_OPTIONAL, FQ_PHONE_INPUT_MAX,
				  &out->caller_phone, err)))
		return rc;
	if (out->caller_phone && *out->caller_phone) {
		rc = fq_phone_normalize(out->caller_phone, &out->phone, err);
		if (rc) {
			if (err)
				snprintf(err->field, sizeof(err->field), "caller_phone");
			return rc;
		}
	}
	loc = json_object_get(body, "location");
	if (loc && !json_is_null(loc)) {
		struct fq_geo_point p, w;
		enum fq_geo_crs crs;
		const char *crs_name = NULL;
		static const char *const loc_keys[] = {"lat", "lon", "crs", NULL};
		if (!json_is_object(loc))
			return fq_err_set(err, FQ_EINVAL, "invalid_type", "location",
					  "location 应为 {\"lat\",\"lon\"} 对象");
		if ((rc = fq_json_only_keys(loc, loc_keys, err)) ||
		    (rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, &p.lat, NULL,
					   err)) ||
		    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, &p.lon, NULL,
					   err)) ||
		    (rc = fq_json_get_str(loc, "crs", FQ_JSON_OPTIONAL, 16, &crs_name, err)) ||
		    (rc = fq_geo_crs_parse(crs_name, "location.crs", &crs, err)) ||
		    (rc = fq_geo_to_wgs84(crs, p, "location", &w, err))) {
			if (err &&
			    (strcmp(err->field, "lat") == 0 || strcmp(err->field, "lon") == 0 ||
			     strcmp(err->field, "crs") == 0)) {
				char f[16];
				snprintf(f, sizeof(f), "location.%.4s", err->field);
				snprintf(err->field, sizeof(err->field), "%s", f);
			}
			return rc;
		}
		out->has_location = 1;
		out->lat = w.lat;
		out->lon = w.lon;
	}
	if ((rc = fq_json_get_str(body, "address", FQ_JSON_OPTIONAL, FQ_ALERT_ADDRESS_MAX,
				  &out->address, err)))
		return rc;
	out->address_norm = "";
	if (out->address && *out->address &&
	    (rc = normalized(pool, out->address, "address", &out->address_norm, err)))
		return rc;
	/* Once here, in the request's thread: matching and indexing both need it. */
	out->address_key = fq_merge_address_key(out->address_norm);
	out->has_address_key = 1;
	if (!out->has_location && !*out->address_norm && !for_match)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "location",
				  "须提供报警位置（location 坐标）或地址（address）");
	if ((rc = fq_json_get_str(body, "category", FQ_JSON_REQUIRED, FQ_CATEGORY_CODE_MAX, &code,
				  err)))
		return rc;
	out->category = fq_taxonomy_find(code);
	if (!out->category)
		return fq_err_set(err, FQ_EINVAL, "unknown_category", "category",
				  "未知的警情类别：%s（见 docs/taxonomy.md）", code);
	if ((rc = fq_json_get_str(body, "description",
				  for_match ? FQ_JSON_OPTIONAL : FQ_JSON_REQUIRED,
				  FQ_ALERT_DESCRIPTION_MAX, &out->description, err)))
		return rc;
	out->description_norm = "";
	if (out->description &&
	    (rc = normalized(pool, out->description, "description", &out->description_norm, err)))
		return rc;
	if ((rc = fq_json_get_int(body, "priority", FQ_JSON_OPTIONAL, 1, 4, &prio, &present, err)))
		return rc;
	out->priority = present ? (int)prio : out->category->priority;
	if ((rc = fq_json_get_str(body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &out->unit,
				  err)) ||
	    (rc = fq_json_get_str(body, "incident_id", FQ_JSON_OPTIONAL, 36, &out->incident_id,
				  err)))
		return rc;
	if (out->incident_id && !fq_uuid_valid(out->incident_id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "incident_id",
				  "incident_id 不是有效的编号");
	extra = json_object_get(body, "extra");
	if (extra && !json_is_null(extra)) {
		char *text;
		if (!json_is_object(extra))
			return fq_err_set(err, FQ_EINVAL, "invalid_type", "extra",
					  "extra 应为 JSON 对象");
		text = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
		if (!text || strlen(text) > 16 * 1024) {
			free(text);
			return fq_err_set(err, FQ_EINVAL, "too_long", "extra",
					  "extra 不能超过 16 KiB");
		}
		out->extra = fq_pool_strdup(pool, text);
		free(text);
	}
	return 0;
}

/* ---- the engine: merge index and grid lookup ---- */

struct grid_shape {
	char code[FQ_UNIT_CODE_MAX];
	struct fq_geo_point *ring;
	size_t n;
};

struct station_grids {
	struct station_grids *next;
	char station[FQ_UNIT_CODE_MAX];
	struct grid_shape *grids;
	size_t count;
};

static struct {
	struct fq_merge_index *idx;
	/* Held for reading while idx is used, for writing to swap it (fq_alert_engine_reload). */
	pthread_rwlock_t swap;
	pthread_mutex_t intake;
	pthread_mutex_t grids_lock;
	struct station_grids *grids;
} engine = {.intake = PTHREAD_MUTEX_INITIALIZER, .grids_lock = PTHREAD_MUTEX_INITIALIZER};

/*
 * engine.swap lets no new reader in while a writer waits: every alert request reads
 * through it (fq_alert_prematch), and a reload must not wait for a gap between them.
 */
static pthread_once_t swap_once = PTHREAD_ONCE_INIT;

static void swap_init(void)
{
	fq_xrwlock_init(&engine.swap);
}

static void swap_read(void)
{
	pthread_once(&swap_once, swap_init);
	pthread_rwlock_rdlock(&engine.swap);
}

static void swap_write(void)
{
	pthread_once(&swap_once, swap_init);
	pthread_rwlock_wrlock(&engine.swap);
}

/*
 * The stations of the units alerts were taken for, as found: units never move and are
 * never deleted, so an entry never goes stale (a unit created later is a miss). Saves
 * every alert a read of the store, which starts with a cold page cache whenever the
 * intake has written since. Emptied when the engine starts or stops (another store).
 */
#define STATION_CACHE_MAX 128

static struct {
	pthread_mutex_t lock;
	size_t n;
	struct station_of {
		char unit[FQ_UNIT_CODE_MAX];
		char station[FQ_UNIT_CODE_MAX];
		char path[FQ_UNIT_PATH_MAX];
	} e[STATION_CACHE_MAX];
} stations = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void stations_clear(void)
{
	pthread_mutex_lock(&stations.lock);
	stations.n = 0;
	pthread_mutex_unlock(&stations.lock);
}

static int station_cached(const char *unit, char station[FQ_UNIT_CODE_MAX],
			  char path[FQ_UNIT_PATH_MAX])
{
	int found = 0;

	pthread_mutex_lock(&stations.lock);
	for (size_t i = 0; i < stations.n && !found; i++)
		if (strcmp(stations.e[i].unit, unit) == 0) {
			memcpy(station, stations.e[i].station, FQ_UNIT_CODE_MAX);
			memcpy(path, stations.e[i].path, FQ_UNIT_PATH_MAX);
			found = 1;
		}
	pthread_mutex_unlock(&stations.lock);
	return found;
}

static void station_remember(const char *unit, const char *station, const char *path)
{
	pthread_mutex_lock(&stations.lock);
	if (stations.n < STATION_CACHE_MAX && strlen(unit) < FQ_UNIT_CODE_MAX) {
		struct station_of *e = &stations.e[stations.n];
		int dup = 0;

		for (size_t i = 0; i < stations.n && !dup; i++)
			dup = strcmp(stations.e[i].unit, unit) == 0;
		if (!dup) {
			snprintf(e->unit, sizeof(e->unit), "%s", unit);
			snprintf(e->station, sizeof(e->station), "%s", station);
			snprintf(e->path, sizeof(e->path), "%s", path);
			stations.n++;
		}
	}
	pthread_mutex_unlock(&stations.lock);
}

void fq_alert_lock(void)
{
	pthread_mutex_lock(&engine.intake);
}

void fq_alert_unlock(void)
{
	pthread_mutex_unlock(&engine.intake);
}

static void fill_merge_alert(struct fq_merge_alert *m, const char *alert_id,
			     const char *incident_id, int64_t at, const char *phone, int has_loc,
			     double lat, double lon, const char *address,
			     const struct fq_category *cat, const char *description, int closed)
{
	memset(m, 0, sizeof(*m));
	m->alert_id = alert_id;
	m->incident_id = incident_id;
	m->received_at_ms = at;
	m->phone = phone ? phone : "";
	m->has_location = has_loc;
	m->lat = lat;
	m->lon = lon;
	m->address = address ? address : "";
	m->category = cat;
	m->description = description ? description : "";
	m->incident_closed = closed;
}

/* A merge index with the alerts of the last 90 days of the store. */
static int load_index(struct fq_db *db, struct fq_merge_index **out, struct fq_err *err)
{
	struct fq_merge_index *idx;
	struct fq_dbc *c;
	struct fq_stmt *st;
	int64_t since = fq_now_ms() - (int64_t)FQ_MERGE_CALLER_HISTORY_S * 1000;
	size_t loaded = 0;
	int rc;

	*out = NULL;
	if ((rc = fq_merge_index_new(NULL, &idx, err)))
		return rc;
	c = fq_db_acquire(db);
	rc = fq_dbc_query(c, err, &st,
			  "SELECT a.id, a.incident_id, a.received_at, a.caller_phone_norm, a.lat,"
			  " a.lon, a.address_norm, a.category, a.description_norm,"
			  " i.state = 'closed' FROM alert a JOIN incident i ON i.id = a.incident_id"
			  " WHERE a.received_at >= ? ORDER BY a.received_at, a.id",
			  "i", since);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		struct fq_merge_alert m;
		const struct fq_category *cat = fq_taxonomy_find(fq_stmt_text(st, 7));
		rc = 0;
		if (!cat)
			continue;
		fill_merge_alert(&m, fq_stmt_text(st, 0), fq_stmt_text(st, 1), fq_stmt_int(st, 2),
				 fq_stmt_text(st, 3), !fq_stmt_is_null(st, 4),
				 fq_stmt_double(st, 4), fq_stmt_double(st, 5), fq_stmt_text(st, 6),
				 cat, fq_stmt_text(st, 8), (int)fq_stmt_int(st, 9));
		/* Expire as we go, as a replay does, so the index never holds more than its
		 * windows. */
		if (fq_merge_insert(idx, &m, err) == 0)
			loaded++;
		else
			fq_warn("merge index: alert %s not loaded: %s", m.alert_id,
				err ? err->message : "");
		fq_merge_expire(idx, m.received_at_ms);
	}
	if (st)
		fq_stmt_done(st);
	fq_db_release(db, c);
	if (rc < 0) {
		fq_merge_index_free(idx);
		return rc;
	}
	fq_merge_expire(idx, fq_now_ms());
	fq_info("merge index: %zu alerts of the last 90 days loaded", loaded);
	*out = idx;
	return 0;
}

int fq_alert_engine_start(struct fq_db *db, struct fq_err *err)
{
	struct fq_merge_index *idx;
	int rc;

	stations_clear();
	rc = load_index(db, &idx, err);

	if (rc)
		return rc;
	swap_write();
	fq_merge_index_free(engine.idx);
	engine.idx = idx;
	pthread_rwlock_unlock(&engine.swap);
	return 0;
}

static atomic_int reload_failures; /* fq_alert_test_fail_reload */

void fq_alert_test_fail_reload(int n)
{
	atomic_store(&reload_failures, n);
}

int fq_alert_engine_reload(struct fq_db *db, struct fq_err *err)
{
	int n = atomic_load(&reload_failures);

	if (n > 0 && atomic_compare_exchange_strong(&reload_failures, &n, n - 1))
		return fq_err_set(err, FQ_EDB, "storage_error", NULL,
				  "合并索引重建失败（测试注入）");
	return fq_alert_engine_start(db, err);
}

void fq_alert_engine_stop(void)
{
	struct station_grids *s = engine.grids;

	stations_clear();
	swap_write();
	fq_merge_index_free(engine.idx);
	engine.idx = NULL;
	pthread_rwlock_unlock(&engine.swap);
	while (s) {
		struct station_grids *next = s->next;
		for (size_t i = 0; i < s->count; i++)
			free(s->grids[i].ring);
		free(s->grids);
		free(s);
		s = next;
	}
	engine.grids = NULL;
}

void fq_alert_engine_tick(void)
{
	fq_alert_engine_expire(fq_now_ms());
}

void fq_alert_engine_expire(int64_t now_ms)
{
	swap_read();
	if (engine.idx)
		fq_merge_expire(engine.idx, now_ms);
	pthread_rwlock_unlock(&engine.swap);
}

/* The outer ring of a GeoJSON Polygon (or the first polygon of a MultiPolygon). */
static struct fq_geo_point *outer_ring(const char *geojson, size_t *n)
{
	json_t *g = json_loads(geojson, 0, NULL), *coords, *ring, *pt;
	struct fq_geo_point *out = NULL;
	const char *type;
	size_t i;

	*n = 0;
	if (!g)
		return NULL;
	type = json_string_value(json_object_get(g, "type"));
	coords = json_object_get(g, "coordinates");
	if (type && strcmp(type, "MultiPolygon") == 0)
		coords = json_array_get(coords, 0);
	ring = json_array_get(coords, 0);
	if (json_is_array(ring) && json_array_size(ring) >= 3) {
		out = fq_xcalloc(json_array_size(ring), sizeof(*out));
		json_array_foreach(ring, i, pt)
		{
			out[*n].lon = json_number_value(json_array_get(pt, 0));
			out[*n].lat = json_number_value(json_array_get(pt, 1));
			(*n)++;
		}
	}
	json_decref(g);
	return out;
}

static struct station_grids *load_grids(struct fq_dbc *c, const char *station)
{
	struct station_grids *s = fq_xcalloc(1, sizeof(*s));
	struct fq_stmt *st;
	size_t cap = 0;

	snprintf(s->station, sizeof(s->station), "%s", station);
	if (fq_dbc_query(c, NULL, &st,
			 "SELECT g.code, g.boundary FROM unit g JOIN unit p ON p.code = ?"
			 " WHERE g.kind = 'grid' AND g.boundary IS NOT NULL"
			 " AND substr(g.path, 1, length(p.path)) = p.path ORDER BY g.code",
			 "t", station) != 0)
		return s;
	while (fq_stmt_step(st, NULL) == FQ_DB_ROW) {
		struct grid_shape shape;
		memset(&shape, 0, sizeof(shape));
		snprintf(shape.code, sizeof(shape.code), "%s", fq_stmt_text(st, 0));
		shape.ring = outer_ring(fq_stmt_text(st, 1), &shape.n);
		if (!shape.ring)
			continue;
		if (s->count == cap) {
			cap = cap ? cap * 2 : 16;
			s->grids = fq_xrealloc(s->grids, cap * sizeof(*s->grids));
		}
		s->grids[s->count++] = shape;
	}
	fq_stmt_done(st);
	return s;
}

/* The grid of the station containing the point, "" when none. */
static void grid_of(struct fq_dbc *c, const char *station, double lat, double lon,
		    char out[FQ_UNIT_CODE_MAX])
{
	struct station_grids *s;
	struct fq_geo_point p = {.lat = lat, .lon = lon};

	out[0] = '\0';
	pthread_mutex_lock(&engine.grids_lock);
	for (s = engine.grids; s; s = s->next)
		if (strcmp(s->station, station) == 0)
			break;
	if (!s) {
		s = load_grids(c, station);
		s->next = engine.grids;
		engine.grids = s;
	}
	for (size_t i = 0; i < s->count; i++)
		if (fq_geo_polygon_contains(s->grids[i].ring, s->grids[i].n, p)) {
			snprintf(out, FQ_UNIT_CODE_MAX, "%s", s->grids[i].code);
			break;
		}
	pthread_mutex_unlock(&engine.grids_lock);
}

void fq_alert_grid_at(struct fq_dbc *c, const char *station, double lat, double lon,
		      char out[FQ_UNIT_CODE_MAX])
{
	grid_of(c, station, lat, lon, out);
}

/* ---- intake ---- */

int fq_alert_station(struct fq_dbc *c, const struct fq_alert_in *in, const char *user_unit,
		     const char *scope_path, char station[FQ_UNIT_CODE_MAX],
		     char station_path[FQ_UNIT_PATH_MAX], struct fq_err *err)
{
	const char *want = in->unit ? in->unit : user_unit;
	struct fq_stmt *st;
	int rc = 0;

	if (!station_cached(want, station, station_path)) {
		/*
		 * The unit itself when a station, else its nearest station ancestor: up the
		 * parents, one key lookup a level.
		 */
		rc = fq_dbc_query(c, err, &st,
				  "WITH RECURSIVE up(code, kind, path, parent) AS ("
				  " SELECT code, kind, path, parent FROM unit WHERE code = ?"
				  " UNION ALL SELECT p.code, p.kind, p.path, p.parent FROM unit p"
				  " JOIN up ON p.code = up.parent WHERE up.kind <> 'station')"
				  " SELECT code, path FROM up WHERE kind = 'station' LIMIT 1",
				  "t", want);
		if (rc)
			return rc;
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW) {
			snprintf(station, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 0));
			snprintf(station_path, FQ_UNIT_PATH_MAX, "%s", fq_stmt_text(st, 1));
			station_remember(want, station, station_path);
			rc = 0;
		} else if (rc == FQ_DB_DONE) {
			rc = in->unit
				 ? fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
					      "unit 应为您辖区内的派出所代码")
				 : fq_err_set(err, FQ_EINVAL, "missing_field", "unit",
					      "您所在单位不是派出所：请用 unit 指明受理的派出所");
		}
		fq_stmt_done(st);
	}
	if (!rc && !fq_scope_covers(scope_path, station_path))
		rc = fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
				"unit 应为您辖区内的派出所代码");
	return rc;
}

int fq_alert_match(const struct fq_alert_in *in, struct fq_merge_result *out, struct fq_err *err)
{
	return fq_alert_match_from(in, NULL, out, NULL, err);
}

/* The merge engine's view of an alert being taken (no id yet). */
static void merge_alert_of(struct fq_merge_alert *m, const struct fq_alert_in *in)
{
	fill_merge_alert(m, "", NULL, in->received_at, in->phone.number, in->has_location, in->lat,
			 in->lon, in->address_norm, in->category, in->description_norm, 0);
	m->address_key = in->address_key;
	m->has_address_key = in->has_address_key;
}

int fq_alert_prematch(const struct fq_alert_in *in, struct fq_merge_prematch *pm,
		      struct fq_err *err)
{
	struct fq_merge_alert m;
	int rc;

	merge_alert_of(&m, in);
	swap_read();
	rc = fq_merge_prematch(engine.idx, &m, pm, err);
	pthread_rwlock_unlock(&engine.swap);
	return rc;
}

int fq_alert_match_from(const struct fq_alert_in *in, struct fq_merge_prematch *pm,
			struct fq_merge_result *out, int *reused, struct fq_err *err)
{
	struct fq_merge_alert m;
	int rc;

	merge_alert_of(&m, in);
	swap_read();
	rc = fq_merge_match_from(engine.idx, &m, pm, out, reused, err);
	pthread_rwlock_unlock(&engine.swap);
	return rc;
}

static int incident_open_in(struct fq_dbc *c, const char *id, const char *station,
			    struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT unit_code, state FROM incident WHERE id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		if (strcmp(fq_stmt_text(st, 0), station) != 0)
			rc = fq_err_set(err, FQ_EINVAL, "unknown_incident", "incident_id",
					"该警情事件不属于本所");
		else if (strcmp(fq_stmt_text(st, 1), "closed") == 0)
			rc = fq_err_set(err, FQ_ECONFLICT, "incident_closed", "incident_id",
					"该警情事件已结案，不能再并入报警");
		else
			rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc =
		    fq_err_set(err, FQ_EINVAL, "unknown_incident", "incident_id", "警情事件不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static json_t *reasons_json(const struct fq_merge_candidate *cand)
{
	json_t *a = json_array();
	for (unsigned i = 0; cand && i < cand->reason_count; i++)
		json_array_append_new(a, json_string(cand->reasons[i]));
	return a;
}

int fq_alert_store(struct fq_dbc *c, const struct fq_alert_in *in, const char *station,
		   const struct fq_merge_result *m, const char *idempotency_key,
		   const char *actor_id, struct fq_alert_stored *out, json_t **incident_row,
		   struct fq_err *err)
{
	const struct fq_merge_candidate *best = m->candidate_count ? &m->candidates[0] : NULL;
	const char *recorded = "new";
	char inc_number[FQ_NUMBER_MAX];
	char *reasons;
	int64_t now = fq_now_ms();
	int rc;

	memset(out, 0, sizeof(*out));
	if (incident_row)
		*incident_row = NULL;
	out->decision = "new";
	out->kind = NULL;
	if (in->has_location)
		grid_of(c, station, in->lat, in->lon, out->grid);
	if (in->incident_id) {
		if ((rc = incident_open_in(c, in->incident_id, station, err)))
			return rc;
		snprintf(out->incident_id, sizeof(out->incident_id), "%s", in->incident_id);
		out->decision = "merged";
		recorded = "confirmed";
		for (unsigned i = 0; i < m->candidate_count; i++)
			if (strcmp(m->candidates[i].incident_id, in->incident_id) == 0) {
				best = &m->candidates[i];
				out->kind = fq_merge_kind_name(best->kind);
				break;
			}
		if (best && strcmp(best->incident_id, in->incident_id) != 0)
			best = NULL;
	} else if (m->decision == FQ_MERGE_MERGED && best) {
		snprintf(out->incident_id, sizeof(out->incident_id), "%s", best->incident_id);
		out->decision = recorded = "merged";
		out->kind = fq_merge_kind_name(best->kind);
	} else {
		struct fq_incident_new ni = {
		    .unit_code = station,
		    .grid_code = out->grid[0] ? out->grid : NULL,
		    .category = in->category->code,
		    .priority = in->priority,
		    .has_location = in->has_location,
		    .lat = in->lat,
		    .lon = in->lon,
		    .address = in->address,
		    .received_at = in->received_at,
		    .repeat_caller = m->repeat_caller,
		    .repeat_place = m->repeat_place,
		    .actor_id = actor_id,
		    .first_alert = 1,
		    .now_ms = now,
		};
		if ((rc = fq_incident_create(c, &ni, out->incident_id, inc_number, incident_row,
					     err)))
			return rc;
		out->new_incident = 1;
		if (m->decision == FQ_MERGE_SUGGESTED) {
			out->decision = recorded = "suggested";
			out->kind = best ? fq_merge_kind_name(best->kind) : NULL;
		}
	}
	fq_uuid7_str(out->alert_id);
	if ((rc = fq_number_next(c, "JJ", station, in->received_at, out->alert_number, err)))
		goto fail;
	{
		json_t *rj = reasons_json(best);
		struct fq_buf rb;

		fq_buf_init(&rb, FQ_BUF_DEFAULT_MAX);
		reasons = rj && fq_json_dump(rj, &rb) == 0 ? fq_buf_detach(&rb, NULL) : NULL;
		fq_buf_release(&rb);
		json_decref(rj);
	}
	/*
	 * The intake decision and the timeline's "alert" entry live in the row (migration 0019:
	 * views alert_intake_decision and alert_intake_event) until an operator moves the alert.
	 */
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO alert (id, number, incident_id, unit_code, grid_code,"
			" received_at, source, caller_name, caller_phone, caller_phone_norm, lat,"
			" lon, address, address_norm, category, priority, description,"
			" description_norm, idempotency_key, extra, created_at, created_by,"
			" intake_decision, intake_kind, intake_score, intake_reasons)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			" ?, ?, ?, ?)",
			"ttttt"
			"itttt"
			"DDtttitttt"
			"it"
			"ttDt",
			out->alert_id, out->alert_number, out->incident_id, station,
			out->grid[0] ? out->grid : NULL, in->received_at,
			fq_alert_source_code(in->source), in->caller_name, in->caller_phone,
			in->phone.number, in->has_location ? in->lat : NAN,
			in->has_location ? in->lon : NAN, in->address, in->address_norm,
			in->category->code, (int64_t)in->priority, in->description,
			in->description_norm, idempotency_key, in->extra, now, actor_id, recorded,
			out->kind, best ? best->score : NAN, reasons ? reasons : "[]");
	free(reasons);
	if (rc == FQ_ECONFLICT && idempotency_key)
		rc = fq_err_set(err, FQ_ECONFLICT, "idempotency_conflict", "Idempotency-Key",
				"该幂等键已被使用");
	/* A new incident was created holding this alert. */
	if (!rc && !out->new_incident)
		rc = fq_incident_add_alert(c, out->incident_id, in->received_at, incident_row, err);
fail:
	if (rc && incident_row) {
		json_decref(*incident_row);
		*incident_row = NULL;
	}
	return rc;
}

void fq_alert_merge_view(const struct fq_alert_in *in, const struct fq_alert_stored *s,
			 struct fq_merge_alert *out)
{
	merge_alert_of(out, in);
	out->alert_id = s->alert_id;
	out->incident_id = s->incident_id;
}

void fq_alert_indexed(const struct fq_alert_in *in, const struct fq_alert_stored *s)
{
	struct fq_merge_alert m;

	fq_alert_merge_view(in, s, &m);
	(void)fq_alert_indexed_many(&m, 1, 0);
}

int fq_alert_indexed_many(const struct fq_merge_alert *m, size_t n, int try_only)
{
	struct fq_err *err;
	int *rc, busy;

	if (!n)
		return 0;
	err = fq_xcalloc(n, sizeof(*err));
	rc = fq_xcalloc(n, sizeof(*rc));
	swap_read();
	busy = fq_merge_insert_many(engine.idx, m, n, try_only, rc, err);
	pthread_rwlock_unlock(&engine.swap);
	for (size_t i = 0; i < n && !busy; i++) {
		if (rc[i])
			fq_warn("merge index: alert %s not indexed: %s", m[i].alert_id,
				err[i].message);
	}
	free(err);
	free(rc);
	return busy;
}

int fq_alert_may_see(const struct fq_alert_in *in, const struct fq_merge_alert *others, size_t n)
{
	struct fq_merge_alert a;
	int seen;

	if (!n)
		return 0;
	merge_alert_of(&a, in);
	swap_read();
	seen = engine.idx ? fq_merge_may_see_any(engine.idx, &a, others, n) : 1;
	pthread_rwlock_unlock(&engine.swap);
	return seen;
}

void fq_alert_incident_state(const char *incident_id, int closed)
{
	swap_read();
	if (engine.idx) {
		/* FQ_ENOTFOUND: no report of it in the index, nothing to change. */
		int rc = closed ? fq_merge_close_incident(engine.idx, incident_id, NULL)
				: fq_merge_reopen_incident(engine.idx, incident_id, NULL);
		(void)rc;
	}
	pthread_rwlock_unlock(&engine.swap);
}

void fq_alert_index_move(const char *alert_id, const char *incident_id)
{
	struct fq_err err = FQ_ERR_INIT;

	/* FQ_ENOTFOUND: the alert has left the active window; nothing to move. */
	if (engine.idx && fq_merge_move(engine.idx, alert_id, incident_id, &err) != 0 &&
	    err.code != FQ_ENOTFOUND)
		fq_warn("merge index: alert %s not moved: %s", alert_id, err.message);
}

void fq_alert_index_join(const char *from_id, const char *into_id)
{
	struct fq_err err = FQ_ERR_INIT;

	/* FQ_ENOTFOUND: no report of from_id in the index; nothing to join. */
	if (engine.idx && fq_merge_join_incidents(engine.idx, from_id, into_id, &err) != 0 &&
	    err.code != FQ_ENOTFOUND)
		fq_warn("merge index: incident %s not joined: %s", from_id, err.message);
}

int fq_alert_find_idempotent(struct fq_dbc *c, const char *actor_id, const char *key,
			     char alert_id[37], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT id FROM alert WHERE created_by = ? AND idempotency_key = ?",
			      "tt", actor_id, key);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(alert_id, 37, "%s", fq_stmt_text(st, 0));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	return rc;
}

json_t *fq_alert_merge_json(const struct fq_merge_result *m, const char *decision, const char *kind)
{
	json_t *cands = json_array(), *flags = json_array(), *j;

	for (unsigned i = 0; m && i < m->candidate_count; i++) {
		const struct fq_merge_candidate *cd = &m->candidates[i];
		json_array_append_new(
		    cands, json_pack("{s:s, s:f, s:s?, s:o}", "incident_id", cd->incident_id,
				     "score", floor(cd->score * 1000 + 0.5) / 1000, "kind",
				     fq_merge_kind_name(cd->kind), "reasons", reasons_json(cd)));
	}
	if (m && m->repeat_caller)
		json_array_append_new(flags, json_string("repeat_caller"));
	if (m && m->repeat_place)
		json_array_append_new(flags, json_string("repeat_place"));
	j = json_pack("{s:s, s:s?, s:o, s:o}", "decision", decision, "kind", kind, "flags", flags,
		      "candidates", cands);
	if (m && m->repeat_caller)
		json_object_set_new(
		    j, "repeat_caller",
		    json_pack("{s:i, s:i, s:i, s:s}", "calls_7d", (int)m->caller_calls_7d,
			      "calls_30d", (int)m->caller_calls_30d, "calls_90d",
			      (int)m->caller_calls_90d, "reason", m->repeat_caller_reason));
	if (m && m->repeat_place)
		json_object_set_new(
		    j, "repeat_place",
		    json_pack("{s:i, s:i, s:b, s:s}", "reports", (int)m->place_reports, "occasions",
			      (int)m->place_occasions, "propose_directive", m->propose_directive,
			      "reason", m->repeat_place_reason));
	return j;
}

/* One alert's fields, from its row or from what was just written. */
struct alert_fields {
	const char *id, *number, *incident_id, *unit, *grid;
	int64_t received_at;
	const char *source, *caller_name, *caller_phone, *phone_norm;
	int has_location;
	double lat, lon;
	const char *address, *category;
	int64_t priority;
	const char *description, *extra;
};

static json_t *alert_object(const struct alert_fields *f, int mask_phones)
{
	char masked[FQ_PHONE_MAX + 1], at[FQ_RFC3339_MAX];
	json_t *j = json_object(), *ej;

	json_object_set_new(j, "id", fq_json_str_or_null(f->id));
	json_object_set_new(j, "number", fq_json_str_or_null(f->number));
	json_object_set_new(j, "incident_id", fq_json_str_or_null(f->incident_id));
	json_object_set_new(j, "unit", fq_json_str_or_null(f->unit));
	json_object_set_new(j, "grid", fq_json_str_or_null(f->grid));
	fq_time_format_cst(f->received_at, at);
	json_object_set_new(j, "received_at", json_string(at));
	json_object_set_new(j, "source", fq_json_str_or_null(f->source));
	json_object_set_new(j, "caller_name", fq_json_str_or_null(f->caller_name));
	if (!f->caller_phone)
		json_object_set_new(j, "caller_phone", json_null());
	else if (!mask_phones)
		json_object_set_new(j, "caller_phone", json_string(f->caller_phone));
	else if (f->phone_norm && *f->phone_norm && fq_phone_mask(f->phone_norm, masked) == 0)
		json_object_set_new(j, "caller_phone", json_string(masked));
	else
		json_object_set_new(j, "caller_phone", json_string("***"));
	json_object_set_new(j, "location",
			    f->has_location ? json_pack("{s:f, s:f}", "lat", f->lat, "lon", f->lon)
					    : json_null());
	json_object_set_new(j, "address", fq_json_str_or_null(f->address));
	json_object_set_new(j, "category", fq_json_str_or_null(f->category));
	json_object_set_new(j, "priority", json_integer(f->priority));
	json_object_set_new(j, "description", fq_json_str_or_null(f->description));
	ej = f->extra ? json_loads(f->extra, 0, NULL) : NULL;
	json_object_set_new(j, "extra", ej ? ej : json_null());
	return j;
}

json_t *fq_alert_stored_json(const struct fq_alert_in *in, const char *station,
			     const struct fq_alert_stored *s, int mask_phones)
{
	/* The values fq_alert_store bound to the INSERT, in the same order. */
	struct alert_fields f = {
	    .id = s->alert_id,
	    .number = s->alert_number,
	    .incident_id = s->incident_id,
	    .unit = station,
	    .grid = s->grid[0] ? s->grid : NULL,
	    .received_at = in->received_at,
	    .source = fq_alert_source_code(in->source),
	    .caller_name = in->caller_name,
	    .caller_phone = in->caller_phone,
	    .phone_norm = in->phone.number,
	    .has_location = in->has_location,
	    .lat = in->lat,
	    .lon = in->lon,
	    .address = in->address,
	    .category = in->category->code,
	    .priority = in->priority,
	    .description = in->description,
	    .extra = in->extra,
	};
	return alert_object(&f, mask_phones);
}

int fq_alert_json(struct fq_dbc *c, const char *id, int mask_phones, json_t **out,
		  char incident_id[37], struct fq_err *err)
{
	struct alert_fields f;
	struct fq_stmt *st;
	int rc;

	*out = NULL;
	rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT id, number, incident_id, unit_code, grid_code, received_at,"
			 " source, caller_name, caller_phone, caller_phone_norm, lat, lon,"
			 " address, category, priority, description, extra FROM alert WHERE id = ?",
			 "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc != FQ_DB_ROW) {
		fq_stmt_done(st);
		return rc < 0 ? rc : fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "报警不存在");
	}
	f = (struct alert_fields){
	    .id = fq_stmt_text(st, 0),
	    .number = fq_stmt_text(st, 1),
	    .incident_id = fq_stmt_text(st, 2),
	    .unit = fq_stmt_text(st, 3),
	    .grid = fq_stmt_text(st, 4),
	    .received_at = fq_stmt_int(st, 5),
	    .source = fq_stmt_text(st, 6),
	    .caller_name = fq_stmt_text(st, 7),
	    .caller_phone = fq_stmt_text(st, 8),
	    .phone_norm = fq_stmt_text(st, 9),
	    .has_location = !fq_stmt_is_null(st, 10),
	    .lat = fq_stmt_double(st, 10),
	    .lon = fq_stmt_double(st, 11),
	    .address = fq_stmt_text(st, 12),
	    .category = fq_stmt_text(st, 13),
	    .priority = fq_stmt_int(st, 14),
	    .description = fq_stmt_text(st, 15),
	    .extra = fq_stmt_text(st, 16),
	};
	*out = alert_object(&f, mask_phones);
	if (incident_id)
		snprintf(incident_id, 37, "%s", f.incident_id);
	fq_stmt_done(st);
	return 0;
}

int fq_alert_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err)
{
	return fq_dbc_lookup_text(c,
				  "SELECT u.path FROM alert a JOIN unit u ON u.code = a.unit_code"
				  " WHERE a.id = ?",
				  id, path, FQ_UNIT_PATH_MAX, "报警不存在", err);
}
