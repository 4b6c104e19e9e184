/*
 * Request life cycle: headers checked → body gathered (bounded) → route
 * matched → session and CSRF checked → handler → JSON answer → access log.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "command/alert.h"
#include "cases/dispute.h"
#include "command/directive.h"
#include "cases/case.h"
#include "cases/fraud.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/embed.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "http/events.h"
#include "http/response.h"
#include "http/router.h"
#include "http/session.h"
#include "http/static.h"
#include "core/banned.h"

#define FQ_VERSION "0.1.0"

/*
 * Per-connection buffer of libmicrohttpd: room for the 32 KiB of headers we
 * accept (so we, not the library, answer 431 with JSON) and some slack.
 * libmicrohttpd clears it for every request, so bigger costs throughput.
 */
#define FQ_HTTP_CONN_MEMORY (FQ_HTTP_HEADERS_MAX + 8u * 1024u)

struct tracked_conn {
	struct tracked_conn *prev, *next;
	int fd;
	int in_request;
	int64_t since_ms;
};

struct fq_server {
	struct fq_db *db;
	struct fq_server_config cfg;
	struct MHD_Daemon *daemon;
	pthread_mutex_t conns_lock;
	struct tracked_conn conns; /* list head */
	int in_flight;
	int stopping;
	pthread_t reaper;
};

/* Per-request context kept by MHD between calls of the access handler. */
struct req_ctx {
	struct fq_req req;
	struct fq_buf body;
	int body_too_big;
	struct tracked_conn *tc;
};

const struct fq_server_config *fq_server_config(const struct fq_server *srv)
{
	return &srv->cfg;
}

const char *fq_version(void);
const char *fq_version(void)
{
	return FQ_VERSION;
}

/* ---- request helpers (request.h) ---- */

int fq_req_reply(struct fq_req *r, int status, json_t *body)
{
	if (r->reply)
		json_decref(r->reply);
	free(r->bytes);
	r->bytes = NULL;
	r->status = status;
	r->reply = body;
	return 0;
}

int fq_req_reply_bytes(struct fq_req *r, int status, const char *content_type, char *data,
		       size_t len)
{
	json_decref(r->reply);
	r->reply = NULL;
	free(r->bytes);
	r->status = status;
	r->bytes = data;
	r->bytes_len = len;
	r->bytes_type = fq_pool_strdup(&r->pool, content_type);
	return 0;
}

void fq_req_add_header(struct fq_req *r, const char *name, const char *value)
{
	if (r->nhdrs >= FQ_REQ_MAX_HEADERS)
		fq_die("too many response headers");
	r->hdr_names[r->nhdrs] = fq_pool_strdup(&r->pool, name);
	r->hdr_values[r->nhdrs] = fq_pool_strdup(&r->pool, value);
	r->nhdrs++;
}

const char *fq_req_query(struct fq_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *fq_req_header(struct fq_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static int parse_int_arg(struct fq_req *r, const char *name, int64_t def, int64_t min, int64_t max,
			 int64_t *out)
{
	const char *s = fq_req_query(r, name);
	char *end;
	long long v;

	if (!s || !*s) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", name,
				  "参数 %s 应为 %lld 到 %lld 之间的整数", name, (long long)min,
				  (long long)max);
	*out = v;
	return 0;
}

int fq_req_page(struct fq_req *r, int64_t *page, int64_t *per_page)
{
	int rc = parse_int_arg(r, "page", 1, 1, 1000000, page);
	return rc ? rc : parse_int_arg(r, "per_page", 20, 1, 200, per_page);
}

int fq_req_require(struct fq_req *r, enum fq_action action)
{
	if (!r->user)
		return fq_err_set(&r->err, FQ_EAUTH, "unauthenticated", NULL, "请先登录");
	if (!fq_roles_can(r->user->roles, action))
		return fq_err_set(&r->err, FQ_EFORBIDDEN, "forbidden", NULL,
				  "您的角色无权执行此操作（%s）", fq_action_code(action));
	return 0;
}

int fq_req_require_scope(struct fq_req *r, const char *unit_path)
{
	if (!r->user || !fq_scope_covers(r->user->unit_path, unit_path))
		return fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "对象不存在");
	return 0;
}

int fq_req_list_scope(struct fq_req *r, struct fq_dbc *c, char path[FQ_UNIT_PATH_MAX])
{
	const char *unit = fq_req_query(r, "unit");

	if (!unit || !*unit) {
		snprintf(path, FQ_UNIT_PATH_MAX, "%s", r->user->unit_path);
		return 0;
	}
	if (fq_unit_path(c, unit, path, &r->err) != 0 || !fq_scope_covers(r->user->unit_path, path))
		return fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", "unit",
				  "单位不存在或不在您的辖区");
	return 0;
}

int fq_req_object_scope(struct fq_req *r, struct fq_dbc *c,
			int (*path_of)(struct fq_dbc *c, const char *id,
				       char path[FQ_UNIT_PATH_MAX], struct fq_err *err),
			const char *id, const char *missing)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = path_of(c, id, path, &r->err);

	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND)
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "%s", missing);
	return rc;
}

const char *fq_req_audit_role(struct fq_req *r, enum fq_action action)
{
	int role;
	if (!r->user)
		return NULL;
	role = fq_roles_granting(r->user->roles, action);
	if (role < 0)
		for (role = 0; role < FQ_ROLE_COUNT; role++)
			if (r->user->roles & FQ_ROLE_BIT(role))
				break;
	return fq_role_code(role);
}

static char *detail_text(struct fq_req *r, json_t *detail)
{
	struct fq_buf b;
	char *copy = NULL;

	if (!detail)
		return NULL;
	fq_buf_init(&b, FQ_BUF_DEFAULT_MAX);
	if (fq_json_dump_sorted(detail, &b) == 0)
		copy = fq_pool_strndup(&r->pool, b.buf, b.len);
	fq_buf_release(&b);
	return copy;
}

int fq_req_audit(struct fq_req *r, struct fq_dbc *c, enum fq_action action, const char *what,
		 const char *object_type, const char *object_id, const char *reason, json_t *detail)
{
	struct fq_audit_entry e = {
	    .user_id = r->user ? r->user->user_id : NULL,
	    .username = r->user ? r->user->username : NULL,
	    .role = fq_req_audit_role(r, action),
	    .unit_code = r->user ? r->user->unit_code : NULL,
	    .action = what,
	    .object_type = object_type,
	    .object_id = object_id,
	    .client = r->client,
	    .outcome = "ok",
	    .reason = reason,
	    .detail = detail_text(r, detail),
	};
	json_decref(detail);
	return fq_audit_append(c, &e, fq_now_ms(), NULL, &r->err);
}

int fq_req_audit_read(struct fq_req *r, const char *object_type, const char *object_id,
		      const char *reason)
{
	struct fq_audit_entry e = {
	    .user_id = r->user ? r->user->user_id : NULL,
	    .username = r->user ? r->user->username : NULL,
	    .role = fq_req_audit_role(r, FQ_ACT_PERSON_READ),
	    .unit_code = r->user ? r->user->unit_code : NULL,
	    .action = reason ? "person.reveal" : "person.read",
	    .object_type = object_type,
	    .object_id = object_id,
	    .client = r->client,
	    .outcome = "ok",
	    .reason = reason,
	};
	return fq_audit_append_tx(r->db, &e, NULL, &r->err);
}

/* ---- answers ---- */

/* s as loggable text: bytes that are not valid UTF-8 or are controls become %XX. */
static const char *loggable(struct fq_req *r, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out, *o;

	if (fq_utf8_valid(s, n) && strcspn(s, "\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r"
					      "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
					      "\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") == n)
		return s;
	o = out = fq_pool_alloc(&r->pool, n * 3 + 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '%') {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

/* One JSON line per request, written straight into a buffer (no json_t per request). */
static void access_log(struct fq_req *r, int status, size_t bytes)
{
	struct fq_buf b;
	char ts[FQ_RFC3339_MAX];
	double ms = (double)(fq_mono_ns() - r->start_ns) / 1e6;
	int failed;

	fq_time_format(fq_now_ms(), 0, ts);
	fq_buf_init(&b, 64 * 1024);
	failed = fq_buf_adds(&b, "{\"ts\":") || fq_json_put_string(&b, ts) ||
		 fq_buf_adds(&b, ",\"client\":") || fq_json_put_string(&b, r->client) ||
		 fq_buf_adds(&b, ",\"method\":") ||
		 fq_json_put_string(&b, loggable(r, r->method)) || fq_buf_adds(&b, ",\"path\":") ||
		 fq_json_put_string(&b, loggable(r, r->path)) ||
		 fq_buf_addf(&b, ",\"status\":%d,\"bytes\":%zu,\"ms\":", status, bytes) ||
		 fq_json_put_real(&b, ms);
	if (!failed)
		failed =
		    fq_buf_adds(&b, ",\"user\":") ||
		    (r->user ? fq_json_put_string(&b, r->user->username) : fq_buf_adds(&b, "null"));
	if (!failed && !fq_buf_addch(&b, '}'))
		fq_log_line(b.buf, b.len);
	fq_buf_release(&b);
}

static void add_common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_json(struct fq_req *r, int status, json_t *body)
{
	struct fq_buf b;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len;
	char *data;

	fq_buf_init(&b, FQ_BUF_DEFAULT_MAX);
	if (!body || fq_json_dump(body, &b) != 0) {
		fq_buf_reset(&b);
		status = 500;
		if (fq_buf_adds(
			&b, "{\"error\":{\"code\":\"internal\",\"message\":\"服务器内部错误\"}}"))
			fq_die("cannot build error answer");
	}
	data = fq_buf_detach(&b, &len);
	resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	add_common_headers(resp);
	for (int i = 0; i < r->nhdrs; i++)
		MHD_add_response_header(resp, r->hdr_names[i], r->hdr_values[i]);
	ret = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->answered = 1;
	access_log(r, status, len);
	return ret;
}

int fq_req_reply_stream(struct fq_req *r, int status, const char *content_type,
			fq_stream_read_fn read, void (*free_cls)(void *cls), void *cls)
{
	struct MHD_Response *resp;

	_Static_assert(FQ_STREAM_END == MHD_CONTENT_READER_END_OF_STREAM, "end-of-stream value");
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, read, cls, free_cls);
	if (!resp) {
		free_cls(cls);
		return fq_err_set(&r->err, FQ_EINTERNAL, "internal", NULL, "cannot create stream");
	}
	MHD_add_response_header(resp, "Content-Type", content_type);
	add_common_headers(resp);
	for (int i = 0; i < r->nhdrs; i++)
		MHD_add_response_header(resp, r->hdr_names[i], r->hdr_values[i]);
	r->stream_queued = MHD_queue_response(r->conn, (unsigned)status, resp) == MHD_YES ? 1 : -1;
	MHD_destroy_response(resp);
	r->answered = 1;
	access_log(r, status, 0);
	return 0;
}

/* The answer of fq_req_reply_bytes: the body passes to libmicrohttpd, which frees it. */
static enum MHD_Result send_bytes(struct fq_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = r->bytes_len;

	resp = MHD_create_response_from_buffer(len, r->bytes, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		fq_die("cannot build answer");
	r->bytes = NULL;
	MHD_add_response_header(resp, "Content-Type", r->bytes_type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	add_common_headers(resp);
	for (int i = 0; i < r->nhdrs; i++)
		MHD_add_response_header(resp, r->hdr_names[i], r->hdr_values[i]);
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	r->answered = 1;
	access_log(r, r->status, len);
	return ret;
}

static enum MHD_Result send_error(struct fq_req *r, int code)
{
	int status;
	json_t *body;
	enum MHD_Result ret;

	if (!r->err.code)
		fq_err_set(&r->err, code, NULL, NULL, "请求失败");
	status = fq_http_status_for(code, r->err.machine);
	if (status >= 500)
		fq_error("%s %s: %s (%s)", r->method, r->path, r->err.message, r->err.machine);
	body = fq_http_error_body(&r->err, status);
	ret = send_json(r, status, body);
	json_decref(body);
	return ret;
}

static enum MHD_Result send_static(struct fq_req *r, const struct fq_embedded_file *f)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int immutable = strncmp(f->name, "assets/", 7) == 0;

	resp = MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Content-Type", fq_static_content_type(f->name));
	MHD_add_response_header(resp, "Cache-Control",
				immutable ? "public, max-age=31536000, immutable" : "no-cache");
	MHD_add_response_header(resp, "Content-Security-Policy", fq_static_csp(&r->srv->cfg));
	add_common_headers(resp);
	ret = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	r->answered = 1;
	access_log(r, 200, f->len);
	return ret;
}

/* ---- request checks ---- */

struct header_scan {
	size_t total;
	int too_big;
	int bad_utf8;
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct header_scan *s = cls;
	size_t n = strlen(key) + (value ? strlen(value) : 0) + 4;
	(void)kind;
	s->total += n;
	if (n > FQ_HTTP_HEADER_MAX)
		s->too_big = 1;
	return MHD_YES;
}

static enum MHD_Result scan_args(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct header_scan *s = cls;
	(void)kind;
	if (!fq_utf8_valid(key, strlen(key)) || (value && !fq_utf8_valid(value, strlen(value))))
		s->bad_utf8 = 1;
	return MHD_YES;
}

static void client_address(struct fq_server *srv, struct MHD_Connection *conn, char *out,
			   size_t cap)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	int loopback = 0;

	snprintf(out, cap, "unknown");
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)cap);
		loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)cap);
		loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	if (srv->cfg.trust_proxy && loopback) {
		const char *real = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Real-IP");
		if (real && strlen(real) < cap &&
		    strspn(real, "0123456789abcdefABCDEF.:") == strlen(real))
			snprintf(out, cap, "%s", real);
	}
}

static int path_is_clean(const char *path)
{
	if (path[0] != '/')
		return 0;
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || c == '\\')
			return 0;
		if (c == '%' && p[1] == '0' && p[2] == '0')
			return 0;
		if (c == '/' && (p[1] == '/' ||
				 (p[1] == '.' && (p[2] == '/' || p[2] == '\0' ||
						  (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))))
			return 0;
	}
	return 1;
}

static const char *cookie_token(struct MHD_Connection *conn)
{
	return MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, FQ_SESSION_COOKIE);
}

static int is_write_method(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
	       strcmp(m, "DELETE") == 0;
}

static enum MHD_Result finish_api(struct fq_req *r, int rc);

static enum MHD_Result dispatch_api(struct req_ctx *ctx)
{
	struct fq_req *r = &ctx->req;
	const struct fq_route *rt;
	char allow[64];
	int known = 0, rc;

	rt = fq_route_match(r, r->method, r->path, &known, allow, sizeof(allow));
	if (!rt) {
		if (known) {
			fq_req_add_header(r, "Allow", allow);
			fq_err_set(&r->err, FQ_EMETHOD, "method_not_allowed", NULL,
				   "不支持的请求方法 %s（允许：%s）", r->method, allow);
			return send_error(r, FQ_EMETHOD);
		}
		fq_err_set(&r->err, FQ_ENOTFOUND, "no_such_endpoint", NULL, "接口不存在：%s",
			   r->path);
		return send_error(r, FQ_ENOTFOUND);
	}
	if (ctx->body_too_big) {
		fq_err_set(&r->err, FQ_ETOOBIG, "body_too_large", NULL, "请求体超过 %u 字节上限",
			   FQ_HTTP_BODY_MAX);
		return send_error(r, FQ_ETOOBIG);
	}
	/* Session. */
	{
		const char *token = cookie_token(r->conn);
		if (token) {
			struct fq_principal *p = fq_pool_alloc(&r->pool, sizeof(*p));
			int64_t expires;
			struct fq_err serr = FQ_ERR_INIT;
			if (fq_session_resolve(r->db, token, p, &expires, &serr) == 0)
				r->user = p;
			else if (!(rt->flags & FQ_ROUTE_PUBLIC))
				r->err = serr;
		}
		if (!r->user && !(rt->flags & FQ_ROUTE_PUBLIC)) {
			if (!r->err.code)
				fq_err_set(&r->err, FQ_EAUTH, "unauthenticated", NULL, "请先登录");
			return send_error(r, FQ_EAUTH);
		}
	}
	/* CSRF: a state-changing request must echo the session's token. */
	if (is_write_method(r->method) && !(rt->flags & FQ_ROUTE_NO_CSRF)) {
		const char *sent = fq_req_header(r, "X-CSRF-Token");
		size_t want = r->user ? strlen(r->user->csrf) : 0;
		if (!r->user || !sent || strlen(sent) != want ||
		    sodium_memcmp(sent, r->user->csrf, want) != 0) {
			fq_err_set(&r->err, FQ_EFORBIDDEN, "csrf_failed", "X-CSRF-Token",
				   "缺少或错误的 CSRF 令牌");
			return send_error(r, FQ_EFORBIDDEN);
		}
	}
	/* Body. */
	if (ctx->body.len) {
		const char *ct = fq_req_header(r, "Content-Type");
		if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
		    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
			fq_err_set(&r->err, FQ_EMEDIA, "unsupported_media_type", "Content-Type",
				   "请求体必须是 application/json");
			return send_error(r, FQ_EMEDIA);
		}
		rc = fq_json_parse_object(ctx->body.buf, ctx->body.len, &r->body, &r->err);
		if (rc)
			return send_error(r, rc);
	} else if (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
		   strcmp(r->method, "PATCH") == 0) {
		r->body = json_object();
	}
	rc = rt->handler(r);
	if (r->suspended) {
		fq_assert(rc == 0);
		return MHD_YES; /* answered by r->resume, see access_handler */
	}
	return finish_api(r, rc);
}

void fq_req_suspend(struct fq_req *r, int (*cont)(struct fq_req *r))
{
	r->resume = cont;
	r->suspended = 1;
	MHD_suspend_connection(r->conn);
}

void fq_req_resume(struct fq_req *r)
{
	MHD_resume_connection(r->conn);
}

/* A handler's (or its continuation's) outcome, answered. */
static enum MHD_Result finish_api(struct fq_req *r, int rc)
{
	/* What the handler committed is told to the live board, also if its answer then failed. */
	fq_req_flush_events(r);
	if (rc)
		return send_error(r, rc);
	if (r->stream_queued)
		return r->stream_queued > 0 ? MHD_YES : MHD_NO;
	if (r->bytes)
		return send_bytes(r);
	if (!r->reply) {
		fq_err_set(&r->err, FQ_EINTERNAL, "internal", NULL, "handler gave no answer");
		return send_error(r, FQ_EINTERNAL);
	}
	return send_json(r, r->status, r->reply);
}

static enum MHD_Result dispatch_static(struct req_ctx *ctx)
{
	struct fq_req *r = &ctx->req;
	const struct fq_embedded_file *f;

	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		fq_req_add_header(r, "Allow", "GET, HEAD");
		fq_err_set(&r->err, FQ_EMETHOD, "method_not_allowed", NULL, "不支持的请求方法");
		return send_error(r, FQ_EMETHOD);
	}
	f = fq_static_find(r->path);
	if (!f) {
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "文件不存在");
		return send_error(r, FQ_ENOTFOUND);
	}
	return send_static(r, f);
}

/* Checks that need only the request line and headers (first call of the handler). */
static enum MHD_Result check_request_head(struct fq_server *srv, struct req_ctx *ctx)
{
	struct fq_req *r = &ctx->req;
	struct MHD_Connection *conn = r->conn;
	struct header_scan hs = {0, 0, 0};
	const char *cl;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &hs);
	if (hs.too_big || hs.total > FQ_HTTP_HEADERS_MAX) {
		fq_err_set(&r->err, FQ_ETOOBIG, "header_too_large", NULL,
			   "请求头过大（单个不超过 %u 字节，合计不超过 %u 字节）",
			   FQ_HTTP_HEADER_MAX, FQ_HTTP_HEADERS_MAX);
		return send_error(r, FQ_ETOOBIG);
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, scan_args, &hs);
	if (hs.bad_utf8 || !fq_utf8_valid(r->path, strlen(r->path))) {
		fq_err_set(&r->err, FQ_EINVAL, "invalid_utf8", NULL,
			   "请求地址或参数不是有效的 UTF-8");
		return send_error(r, FQ_EINVAL);
	}
	if (!path_is_clean(r->path)) {
		fq_err_set(&r->err, FQ_EINVAL, "invalid_path", NULL, "请求路径不合法");
		return send_error(r, FQ_EINVAL);
	}
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > FQ_HTTP_BODY_MAX) {
		fq_err_set(&r->err, FQ_ETOOBIG, "body_too_large", NULL, "请求体超过 %u 字节上限",
			   FQ_HTTP_BODY_MAX);
		return send_error(r, FQ_ETOOBIG);
	}
	if (__atomic_load_n(&srv->stopping, __ATOMIC_SEQ_CST)) {
		fq_req_add_header(r, "Connection", "close");
		fq_err_set(&r->err, FQ_EDB, "store_busy", NULL, "服务器正在停止，请稍后重试");
		return send_error(r, FQ_EDB);
	}
	return MHD_YES;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct fq_server *srv = cls;
	struct req_ctx *ctx = *con_cls;
	struct fq_req *r;
	(void)version;

	if (!ctx) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		ctx = fq_xcalloc(1, sizeof(*ctx));
		*con_cls = ctx;
		r = &ctx->req;
		fq_pool_init(&r->pool);
		fq_buf_init(&ctx->body, FQ_HTTP_BODY_MAX);
		r->srv = srv;
		r->db = srv->db;
		r->conn = conn;
		r->start_ns = fq_mono_ns();
		r->method = fq_pool_strdup(&r->pool, method);
		r->path = fq_pool_strdup(&r->pool, url);
		client_address(srv, conn, r->client, sizeof(r->client));
		__atomic_add_fetch(&srv->in_flight, 1, __ATOMIC_SEQ_CST);
		if (ci && ci->socket_context) {
			ctx->tc = ci->socket_context;
			pthread_mutex_lock(&srv->conns_lock);
			ctx->tc->in_request = 1;
			pthread_mutex_unlock(&srv->conns_lock);
		}
		/* Refusals based on the headers go out now, before any body is read. */
		return check_request_head(srv, ctx);
	}
	r = &ctx->req;
	if (r->suspended) {
		/* Resumed (fq_req_resume): the handler's continuation answers. */
		r->suspended = 0;
		return finish_api(r, r->resume(r));
	}
	if (r->answered) {
		/* Refused early: the rest of the body is read and dropped. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!ctx->body_too_big &&
		    fq_buf_add(&ctx->body, upload_data, *upload_data_size) != 0) {
			ctx->body_too_big = 1;
			fq_buf_release(&ctx->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0)
		return dispatch_api(ctx);
	return dispatch_static(ctx);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct fq_server *srv = cls;
	struct req_ctx *ctx = *con_cls;
	(void)conn;
	(void)toe;
	if (!ctx)
		return;
	if (ctx->tc) {
		pthread_mutex_lock(&srv->conns_lock);
		ctx->tc->in_request = 0;
		ctx->tc->since_ms = fq_now_ms();
		pthread_mutex_unlock(&srv->conns_lock);
	}
	if (ctx->req.on_end)
		ctx->req.on_end(&ctx->req);
	json_decref(ctx->req.body);
	json_decref(ctx->req.reply);
	json_decref(ctx->req.events);
	free(ctx->req.bytes);
	fq_buf_release(&ctx->body);
	fq_pool_release(&ctx->req.pool);
	free(ctx);
	*con_cls = NULL;
	__atomic_sub_fetch(&srv->in_flight, 1, __ATOMIC_SEQ_CST);
}

static void connection_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct fq_server *srv = cls;
	struct tracked_conn *t;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		t = fq_xcalloc(1, sizeof(*t));
		t->fd = ci ? ci->connect_fd : -1;
		t->since_ms = fq_now_ms();
		pthread_mutex_lock(&srv->conns_lock);
		t->next = srv->conns.next;
		t->prev = &srv->conns;
		srv->conns.next->prev = t;
		srv->conns.next = t;
		pthread_mutex_unlock(&srv->conns_lock);
		*socket_context = t;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		t = *socket_context;
		if (!t)
			return;
		pthread_mutex_lock(&srv->conns_lock);
		t->prev->next = t->next;
		t->next->prev = t->prev;
		pthread_mutex_unlock(&srv->conns_lock);
		free(t);
		*socket_context = NULL;
	}
}

/* Writes the audit log's head to the server log when it moved: an anchor outside the store. */
static void log_audit_head(struct fq_server *srv, int64_t *last_seq)
{
	char hash[65];
	int64_t seq;

	if (fq_audit_head(srv->db, &seq, hash, NULL) == 0 && seq != *last_seq) {
		char line[160];
		int n =
		    snprintf(line, sizeof(line), "{\"audit_head\":{\"seq\":%lld,\"hash\":\"%s\"}}",
			     (long long)seq, hash);
		fq_log_line(line, (size_t)n);
		*last_seq = seq;
	}
}

/*
 * Housekeeping thread: drops connections that have not sent a request's
 * headers in time, notices users changed elsewhere, anchors the audit log.
 */
static void *reaper_main(void *arg)
{
	struct fq_server *srv = arg;
	int64_t limit = (int64_t)srv->cfg.header_timeout_s * 1000;
	int64_t audit_seq = -1;
	int ticks = 0;

	while (!__atomic_load_n(&srv->stopping, __ATOMIC_SEQ_CST)) {
		int64_t now;
		usleep(250 * 1000);
		now = fq_now_ms();
		pthread_mutex_lock(&srv->conns_lock);
		for (struct tracked_conn *t = srv->conns.next; t != &srv->conns; t = t->next)
			if (!t->in_request && t->fd >= 0 && now - t->since_ms > limit) {
				shutdown(t->fd, SHUT_RDWR);
				t->since_ms = now; /* once */
			}
		pthread_mutex_unlock(&srv->conns_lock);
		fq_events_tick(now);
		if (++ticks % 4 == 0)
			fq_session_poll(srv->db);
		if (ticks % 240 == 1) {
			int escalated = 0;
			struct fq_err eerr = FQ_ERR_INIT;
			log_audit_head(srv, &audit_seq);
			fq_alert_engine_tick();
			if (fq_directive_escalation_tick(srv->db, fq_now_ms(), &escalated, &eerr))
				fq_warn("directive escalation: %s", eerr.message);
			if (fq_dispute_escalation_tick(srv->db, fq_now_ms(), &escalated, &eerr))
				fq_warn("dispute escalation: %s", eerr.message);
			if (fq_case_escalation_tick(srv->db, fq_now_ms(), &escalated, &eerr))
				fq_warn("case escalation: %s", eerr.message);
			if (fq_fraud_tick(srv->db, fq_now_ms(), NULL, NULL, &eerr))
				fq_warn("fraud warnings: %s", eerr.message);
		}
	}
	log_audit_head(srv, &audit_seq);
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decoding of the path and query arguments. libmicrohttpd's own
 * decoder turns %00 into a NUL that silently cuts the string short; here an
 * encoded NUL is left encoded, so the path check refuses it.
 */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *in = s, *out = s;
	(void)cls;
	(void)conn;

	while (*in) {
		int hi, lo;
		if (in[0] == '%' && in[1] && in[2] && (hi = hexval(in[1])) >= 0 &&
		    (lo = hexval(in[2])) >= 0 && (hi || lo)) {
			*out++ = (char)(hi * 16 + lo);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	fq_warn("http: %s", line);
}

int fq_server_run(struct fq_db *db, const struct fq_server_config *cfg, struct fq_err *err)
{
	struct fq_server *srv = fq_xcalloc(1, sizeof(*srv));
	struct sockaddr_in addr;
	sigset_t sigs;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int sig = 0, rc = 0;

	srv->db = db;
	srv->cfg = *cfg;
	if (!srv->cfg.host)
		srv->cfg.host = "127.0.0.1";
	if (!srv->cfg.port)
		srv->cfg.port = 8080;
	if (srv->cfg.threads <= 0)
		srv->cfg.threads = (int)(ncpu > 0 ? ncpu * 2 : 4);
	if (srv->cfg.max_connections <= 0)
		srv->cfg.max_connections = 1024;
	if (srv->cfg.header_timeout_s <= 0)
		srv->cfg.header_timeout_s = 15;
	if (srv->cfg.drain_timeout_s <= 0)
		srv->cfg.drain_timeout_s = 20;
	pthread_mutex_init(&srv->conns_lock, NULL);
	srv->conns.next = srv->conns.prev = &srv->conns;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)srv->cfg.port);
	if (inet_pton(AF_INET, srv->cfg.host, &addr.sin_addr) != 1) {
		rc = fq_err_set(err, FQ_EINVAL, "invalid_listen", "listen",
				"监听地址应为 IPv4 地址：%s", srv->cfg.host);
		goto out_free;
	}

	/* Signals go to this thread only (sigwait below). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	fq_session_global_init();
	fq_events_init(fq_now_ms());
	if ((rc = fq_events_load_units(db, err)))
		goto out_free;
	srv->daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME,
	    (uint16_t)srv->cfg.port, NULL, NULL, &access_handler, srv, MHD_OPTION_EXTERNAL_LOGGER,
	    &mhd_log, srv, MHD_OPTION_UNESCAPE_CALLBACK, &unescape, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)srv->cfg.threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)srv->cfg.max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)FQ_HTTP_CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, &request_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, &connection_notify, srv,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1, MHD_OPTION_END);
	if (!srv->daemon) {
		rc = fq_err_set(err, FQ_EIO, "listen_failed", "listen", "无法在 %s:%d 上监听",
				srv->cfg.host, srv->cfg.port);
		goto out_free;
	}
	if (pthread_create(&srv->reaper, NULL, reaper_main, srv) != 0)
		fq_die("cannot start reaper thread");
	fq_info("fengqiao %s listening on http://%s:%d/ (%d threads)", FQ_VERSION, srv->cfg.host,
		srv->cfg.port, srv->cfg.threads);

	while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
	fq_info("signal %d: draining requests in flight", sig);
	__atomic_store_n(&srv->stopping, 1, __ATOMIC_SEQ_CST);
	MHD_quiesce_daemon(srv->daemon);
	fq_events_close_all(); /* live streams end; they would never drain */
	for (int i = 0; i < srv->cfg.drain_timeout_s * 20; i++) {
		if (__atomic_load_n(&srv->in_flight, __ATOMIC_SEQ_CST) == 0)
			break;
		usleep(50 * 1000);
	}
	MHD_stop_daemon(srv->daemon);
	pthread_join(srv->reaper, NULL);
	fq_session_global_cleanup();
	fq_events_cleanup();
	fq_info("server stopped");
out_free:
	pthread_mutex_destroy(&srv->conns_lock);
	free(srv);
	return rc;
}
