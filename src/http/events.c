/*
 * Live events: the bus (a ring of recent events under one mutex) and the
 * SSE streams that read it. See events.h.
 *
 * Waking without losing an event: a stream's reader decides "nothing to
 * send" and suspends its connection while holding the bus lock, and a
 * publisher appends and resumes the suspended streams that may see the
 * event while holding the same lock, so an event published between the two
 * cannot be missed. Lock order: bus lock, then libmicrohttpd's own.
 */
#include "http/events.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/api.h"
#include "http/session.h"
#include "org/units.h"
#include "core/banned.h"

#define TYPE_MAX  32
#define BLOCK_MAX (16u * 1024u) /* bytes handed to libmicrohttpd per read */

struct event {
	int64_t id;
	char type[TYPE_MAX];
	char unit_path[FQ_UNIT_PATH_MAX];
	enum fq_action action;
	char *text; /* the whole SSE frame: "id: …\nevent: …\ndata: …\n\n" */
	size_t len;
};

struct stream {
	struct stream *prev, *next;
	struct MHD_Connection *conn;
	struct fq_db *db;
	char token_hash[65];
	char unit_path[FQ_UNIT_PATH_MAX];
	uint32_t roles;
	int64_t last_id;  /* last event id considered (sent or not visible) */
	int reset;	  /* a "reset" event is owed */
	int hello;	  /* the retry: line is owed */
	int suspended;	  /* waiting; only a publisher or the tick resumes it */
	int ended;	  /* session over or server stopping */
	int64_t ping_at;  /* next comment line */
	int64_t check_at; /* next session check */
	char *pending;	  /* rest of a frame larger than one block */
	size_t pending_len, pending_off;
};

static struct {
	pthread_mutex_t lock;
	int started;
	int closing;
	int64_t first_id; /* id of ring slot 0's first use: ids below are gone */
	int64_t next_id;
	struct event ring[FQ_EVENTS_RING];
	struct stream streams; /* list head */
	int nstreams;
} bus = {.lock = PTHREAD_MUTEX_INITIALIZER};

void fq_events_init(int64_t start_ms)
{
	pthread_mutex_lock(&bus.lock);
	if (!bus.started) {
		bus.started = 1;
		bus.closing = 0;
		bus.first_id = start_ms * 1000 + 1;
		bus.next_id = bus.first_id;
		bus.streams.next = bus.streams.prev = &bus.streams;
	}
	pthread_mutex_unlock(&bus.lock);
}

static struct event *slot(int64_t id)
{
	return &bus.ring[(uint64_t)id % FQ_EVENTS_RING];
}

/* Lowest id still held (locked). */
static int64_t oldest_held(void)
{
	int64_t held = bus.next_id - FQ_EVENTS_RING;
	return held > bus.first_id ? held : bus.first_id;
}

static int visible(const struct stream *s, const struct event *e)
{
	return fq_roles_can(s->roles, e->action) && fq_scope_covers(s->unit_path, e->unit_path);
}

static void wake_locked(struct stream *s)
{
	if (s->suspended) {
		s->suspended = 0;
		MHD_resume_connection(s->conn);
	}
}

/* The last code of a unit path: "/33/3399/339902510000/" → "339902510000". */
static void path_code(const char *path, char out[FQ_UNIT_CODE_MAX])
{
	size_t n = strlen(path), start;

	out[0] = '\0';
	if (n < 2 || path[n - 1] != '/')
		return;
	start = n - 1;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (n - 1 - start >= FQ_UNIT_CODE_MAX)
		return;
	memcpy(out, path + start, n - 1 - start);
	out[n - 1 - start] = '\0';
}

int64_t fq_events_publish(const char *type, const char *unit_path, enum fq_action action,
			  json_t *data)
{
	char code[FQ_UNIT_CODE_MAX], head[96];
	struct fq_buf b;
	struct event *e;
	int64_t id = 0;
	size_t len;
	char *text;

	if (!data)
		data = json_object();
	if (!type || strlen(type) >= TYPE_MAX || !unit_path ||
	    strlen(unit_path) >= FQ_UNIT_PATH_MAX || !json_is_object(data)) {
		fq_warn("events: refused an event of type %s", type ? type : "(none)");
		json_decref(data);
		return 0;
	}
	path_code(unit_path, code);
	json_object_set_new(data, "unit", json_string(code));
	fq_buf_init(&b, FQ_EVENTS_DATA_MAX + sizeof(head) + 8);
	if (fq_json_dump(data, &b) != 0) {
		fq_warn("events: %s: data larger than %d bytes, not sent", type,
			FQ_EVENTS_DATA_MAX);
		fq_buf_release(&b);
		json_decref(data);
		return 0;
	}
	json_decref(data);

	pthread_mutex_lock(&bus.lock);
	if (!bus.started || bus.closing) {
		pthread_mutex_unlock(&bus.lock);
		fq_buf_release(&b);
		return 0;
	}
	id = bus.next_id++;
	/* The frame: fields first, then the JSON (one line: compact, newlines escaped). */
	snprintf(head, sizeof(head), "id: %lld\nevent: %s\ndata: ", (long long)id, type);
	len = strlen(head) + b.len + 2;
	text = fq_xmalloc(len + 1);
	memcpy(text, head, strlen(head));
	memcpy(text + strlen(head), b.buf, b.len);
	memcpy(text + len - 2, "\n\n", 3);
	e = slot(id);
	free(e->text);
	e->id = id;
	snprintf(e->type, sizeof(e->type), "%s", type);
	snprintf(e->unit_path, sizeof(e->unit_path), "%s", unit_path);
	e->action = action;
	e->text = text;
	e->len = len;
	for (struct stream *s = bus.streams.next; s != &bus.streams; s = s->next)
		if (visible(s, e))
			wake_locked(s);
	pthread_mutex_unlock(&bus.lock);
	fq_buf_release(&b);
	return id;
}

/*
 * The fields of an API object that name it and its state: all an event
 * carries (never names, phones or addresses). A new object.
 */
static json_t *summary_of(const json_t *object)
{
	static const char *const keys[] = {
	    "id",	   "number",   "state",	   "status",   "version",     "incident_id",
	    "alert_id",	   "category", "priority", "decision", "kind",	      "call_sign",
	    "type",	   "due_at",   "overdue",  "step",     "alert_count", "escalated",
	    "merged_into", "case_id",  NULL,
	};
	json_t *data = json_object();

	if (json_is_object(object))
		for (int i = 0; keys[i]; i++) {
			json_t *v = json_object_get(object, keys[i]);
			if (v && (json_is_string(v) || json_is_integer(v) || json_is_boolean(v) ||
				  json_is_null(v)))
				json_object_set(data, keys[i], v);
		}
	return data;
}

int64_t fq_events_publish_summary(const char *type, const char *unit_path, enum fq_action action,
				  const json_t *object)
{
	return fq_events_publish(type, unit_path, action, summary_of(object));
}

/*
 * Unit code → path. Units are never moved or deleted (paths are fixed at
 * creation), so entries never go stale. Filled from the store at start and on
 * a miss; publishers normally never touch the store.
 */
static struct {
	pthread_mutex_t lock;
	struct unit_entry {
		char code[FQ_UNIT_CODE_MAX];
		char path[FQ_UNIT_PATH_MAX];
	} * slots;
	size_t cap, used;
} units = {.lock = PTHREAD_MUTEX_INITIALIZER};

static size_t code_hash(const char *code)
{
	size_t h = 1469598103934665603ull;
	for (; *code; code++)
		h = (h ^ (unsigned char)*code) * 1099511628211ull;
	return h;
}

static void unit_put_locked(const char *code, const char *path)
{
	size_t i;

	if ((units.used + 1) * 2 > units.cap) {
		struct unit_entry *old = units.slots;
		size_t old_cap = units.cap;
		units.cap = units.cap ? units.cap * 2 : 256;
		units.slots = fq_xcalloc(units.cap, sizeof(*units.slots));
		units.used = 0;
		for (size_t k = 0; k < old_cap; k++)
			if (old[k].code[0])
				unit_put_locked(old[k].code, old[k].path);
		free(old);
	}
	for (i = code_hash(code) & (units.cap - 1); units.slots[i].code[0];
	     i = (i + 1) & (units.cap - 1))
		if (strcmp(units.slots[i].code, code) == 0)
			return;
	snprintf(units.slots[i].code, sizeof(units.slots[i].code), "%s", code);
	snprintf(units.slots[i].path, sizeof(units.slots[i].path), "%s", path);
	units.used++;
}

static int unit_get(const char *code, char path[FQ_UNIT_PATH_MAX])
{
	int found = 0;

	pthread_mutex_lock(&units.lock);
	if (units.cap)
		for (size_t i = code_hash(code) & (units.cap - 1); units.slots[i].code[0];
		     i = (i + 1) & (units.cap - 1))
			if (strcmp(units.slots[i].code, code) == 0) {
				memcpy(path, units.slots[i].path, FQ_UNIT_PATH_MAX);
				found = 1;
				break;
			}
	pthread_mutex_unlock(&units.lock);
	return found;
}

int fq_events_load_units(struct fq_db *db, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT code, path FROM unit", "");

	if (!rc) {
		pthread_mutex_lock(&units.lock);
		while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
			unit_put_locked(fq_stmt_text(st, 0), fq_stmt_text(st, 1));
		pthread_mutex_unlock(&units.lock);
		fq_stmt_done(st);
		rc = rc == FQ_DB_DONE ? 0 : rc;
	}
	fq_db_release(db, c);
	return rc;
}

void fq_events_cleanup(void)
{
	pthread_mutex_lock(&units.lock);
	free(units.slots);
	units.slots = NULL;
	units.cap = units.used = 0;
	pthread_mutex_unlock(&units.lock);
}

/* The unit path of code: from the map, else from the store (remembered). */
static int unit_path_for(struct fq_db *db, const char *type, const char *code,
			 char path[FQ_UNIT_PATH_MAX])
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dbc *c;
	int rc;

	if (unit_get(code, path))
		return 0;
	c = fq_db_acquire(db);
	rc = fq_unit_path(c, code, path, &err);
	fq_db_release(db, c);
	if (rc) {
		fq_warn("events: %s: unit %s: %s", type, code, err.message);
		return rc;
	}
	pthread_mutex_lock(&units.lock);
	unit_put_locked(code, path);
	pthread_mutex_unlock(&units.lock);
	return 0;
}

void fq_req_publish(struct fq_req *r, const char *type, enum fq_action action, const json_t *object,
		    const char *unit_code)
{
	if (!unit_code)
		unit_code = json_string_value(json_object_get(object, "unit"));
	if (!unit_code) {
		fq_warn("events: %s without a unit, not sent", type);
		return;
	}
	if (!r->events)
		r->events = json_array();
	json_array_append_new(r->events,
			      json_pack("{s:s, s:i, s:s, s:o}", "type", type, "action", (int)action,
					"unit", unit_code, "data", summary_of(object)));
}

void fq_req_flush_events(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	json_t *e;
	size_t i;

	if (!r->events)
		return;
	json_array_foreach(r->events, i, e)
	{
		const char *type = json_string_value(json_object_get(e, "type"));
		if (unit_path_for(r->db, type, json_string_value(json_object_get(e, "unit")), path))
			continue;
		(void)fq_events_publish(
		    type, path, (enum fq_action)json_integer_value(json_object_get(e, "action")),
		    json_incref(json_object_get(e, "data")));
	}
	json_decref(r->events);
	r->events = NULL;
}

int64_t fq_events_last_id(void)
{
	int64_t id;
	pthread_mutex_lock(&bus.lock);
	id = bus.started && bus.next_id > bus.first_id ? bus.next_id - 1 : 0;
	pthread_mutex_unlock(&bus.lock);
	return id;
}

void fq_events_tick(int64_t now_ms)
{
	pthread_mutex_lock(&bus.lock);
	if (bus.started)
		for (struct stream *s = bus.streams.next; s != &bus.streams; s = s->next)
			if (now_ms >= s->ping_at || now_ms >= s->check_at)
				wake_locked(s);
	pthread_mutex_unlock(&bus.lock);
}

void fq_events_close_all(void)
{
	pthread_mutex_lock(&bus.lock);
	bus.closing = 1;
	if (bus.started)
		for (struct stream *s = bus.streams.next; s != &bus.streams; s = s->next) {
			s->ended = 1;
			wake_locked(s);
		}
	pthread_mutex_unlock(&bus.lock);
}

/* ---- the stream ---- */

/* Copies as much of a frame as fits; the rest becomes the stream's pending text. */
static size_t put_frame(struct stream *s, char *buf, size_t max, size_t used, const char *text,
			size_t len)
{
	size_t room = max - used;

	if (len <= room) {
		memcpy(buf + used, text, len);
		return used + len;
	}
	memcpy(buf + used, text, room);
	s->pending = fq_xmalloc(len - room);
	memcpy(s->pending, text + room, len - room);
	s->pending_len = len - room;
	s->pending_off = 0;
	return max;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	int64_t now = fq_now_ms();
	size_t used = 0;
	(void)pos;

	/* The session check touches the store: outside the bus lock. */
	if (now >= s->check_at && !s->ended) {
		s->check_at = now + FQ_EVENTS_CHECK_MS;
		if (!fq_session_alive(s->db, s->token_hash, now))
			s->ended = 1;
	}

	pthread_mutex_lock(&bus.lock);
	if (s->pending) {
		size_t n = s->pending_len - s->pending_off;
		if (n > max)
			n = max;
		memcpy(buf, s->pending + s->pending_off, n);
		s->pending_off += n;
		if (s->pending_off == s->pending_len) {
			free(s->pending);
			s->pending = NULL;
		}
		pthread_mutex_unlock(&bus.lock);
		return (ssize_t)n;
	}
	if (s->ended || bus.closing) {
		pthread_mutex_unlock(&bus.lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (s->hello) {
		static const char hello[] = "retry: 3000\n\n";
		s->hello = 0;
		used = put_frame(s, buf, max, used, hello, sizeof(hello) - 1);
	}
	if (s->reset || (s->last_id + 1 < oldest_held())) {
		char frame[96];
		int n;
		s->reset = 0;
		s->last_id = bus.next_id - 1;
		n = snprintf(frame, sizeof(frame), "id: %lld\nevent: reset\ndata: {}\n\n",
			     (long long)s->last_id);
		used = put_frame(s, buf, max, used, frame, (size_t)n);
	}
	while (used < max && !s->pending && s->last_id + 1 < bus.next_id) {
		struct event *e = slot(s->last_id + 1);
		s->last_id++;
		if (visible(s, e))
			used = put_frame(s, buf, max, used, e->text, e->len);
	}
	if (used == 0 && now >= s->ping_at) {
		static const char ping[] = ": ping\n\n";
		used = put_frame(s, buf, max, used, ping, sizeof(ping) - 1);
	}
	if (used > 0) {
		s->ping_at = now + FQ_EVENTS_PING_MS;
		pthread_mutex_unlock(&bus.lock);
		return (ssize_t)used;
	}
	s->suspended = 1;
	MHD_suspend_connection(s->conn);
	pthread_mutex_unlock(&bus.lock);
	return 0;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	pthread_mutex_lock(&bus.lock);
	s->prev->next = s->next;
	s->next->prev = s->prev;
	bus.nstreams--;
	pthread_mutex_unlock(&bus.lock);
	free(s->pending);
	free(s);
}

/* Last-Event-ID (header, or the query for clients that cannot set headers). */
static int parse_last_id(struct fq_req *r, int64_t *out, int *given)
{
	const char *field = "Last-Event-ID";
	const char *v = fq_req_header(r, "Last-Event-ID");
	char *end;
	long long n;

	*given = 0;
	if (!v || !*v) {
		v = fq_req_query(r, "last_event_id");
		field = "last_event_id";
	}
	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < 0 || v[0] < '0' || v[0] > '9')
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", field,
				  "事件编号应为非负整数：%s", v);
	*out = n;
	*given = 1;
	return 0;
}

static int get_events(struct fq_req *r)
{
	struct stream *s;
	int64_t last = 0, now = fq_now_ms();
	int given = 0, rc;

	if (!r->user)
		return fq_err_set(&r->err, FQ_EAUTH, "unauthenticated", NULL, "请先登录");
	if ((rc = parse_last_id(r, &last, &given)))
		return rc;
	s = fq_xcalloc(1, sizeof(*s));
	s->db = r->db;
	s->conn = r->conn;
	snprintf(s->token_hash, sizeof(s->token_hash), "%s", r->user->token_hash);
	snprintf(s->unit_path, sizeof(s->unit_path), "%s", r->user->unit_path);
	s->roles = r->user->roles;
	s->hello = 1;
	s->ping_at = now + FQ_EVENTS_PING_MS;
	s->check_at = now + FQ_EVENTS_CHECK_MS;

	pthread_mutex_lock(&bus.lock);
	if (!bus.started || bus.closing) {
		pthread_mutex_unlock(&bus.lock);
		free(s);
		return fq_err_set(&r->err, FQ_EUNAVAIL, "unavailable", NULL, "实时事件暂不可用");
	}
	if (!given)
		s->last_id = bus.next_id - 1; /* from now on */
	else if (last < oldest_held() - 1 || last >= bus.next_id)
		s->reset = 1; /* missed events no longer held, or an id of another run */
	else
		s->last_id = last;
	if (s->reset)
		s->last_id = bus.next_id - 1;
	s->next = &bus.streams;
	s->prev = bus.streams.prev;
	bus.streams.prev->next = s;
	bus.streams.prev = s;
	bus.nstreams++;
	pthread_mutex_unlock(&bus.lock);

	fq_req_add_header(r, "Cache-Control", "no-store");
	fq_req_add_header(r, "X-Accel-Buffering", "no");
	return fq_req_reply_stream(r, 200, "text/event-stream; charset=utf-8", stream_read,
				   stream_free, s);
}

const struct fq_route fq_event_routes[] = {
    {"GET", "/api/v1/events", get_events, 0},
    {NULL, NULL, NULL, 0},
};
