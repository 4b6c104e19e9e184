/*
 * The HTTP server (libmicrohttpd, internal thread pool with epoll).
 *
 * Limits, all named here: JSON bodies up to FQ_HTTP_BODY_MAX, one header up
 * to FQ_HTTP_HEADER_MAX, all headers up to FQ_HTTP_HEADERS_MAX, a client
 * must send its headers within header_timeout_s of connecting (or of its
 * previous answer on a kept-alive connection), and at most max_connections
 * connections at once. Every answer under /api is JSON; each request writes
 * one JSON access-log line to stderr.
 *
 * fq_server_run() blocks until SIGTERM or SIGINT, then stops accepting,
 * lets requests in flight finish (up to drain_timeout_s) and returns; the
 * caller closes the store.
 */
#ifndef FQ_HTTP_SERVER_H
#define FQ_HTTP_SERVER_H

#include "core/err.h"
#include "db/db.h"

#define FQ_HTTP_BODY_MAX    (1024u * 1024u)
#define FQ_HTTP_HEADER_MAX  (8u * 1024u)
#define FQ_HTTP_HEADERS_MAX (32u * 1024u)

struct fq_server_config {
	const char *host;	/* default 127.0.0.1 */
	int port;		/* default 8080 */
	int threads;		/* 0: 2 × cores */
	int max_connections;	/* default 1024 */
	int header_timeout_s;	/* default 15 */
	int drain_timeout_s;	/* default 20 */
	int cookie_secure;	/* add "Secure" to cookies (behind TLS) */
	int trust_proxy;	/* take X-Real-IP from a loopback peer (nginx) */
	const char *tile_url;	/* map tile URL template for the UI, or NULL */
	const char *public_url; /* residents' address of the server (contact cards' QR), or NULL */
};

struct fq_server;

int fq_server_run(struct fq_db *db, const struct fq_server_config *cfg, struct fq_err *err) FQ_WUR;

/* Server-wide settings visible to handlers. */
const struct fq_server_config *fq_server_config(const struct fq_server *srv);

#endif
