/*
 * Routes: method + path pattern ("/api/v1/units/:code") → handler. The
 * tables are listed in http/routes.c and names every endpoint of the API; the
 * OpenAPI test checks the document against it.
 */
#ifndef FQ_HTTP_ROUTER_H
#define FQ_HTTP_ROUTER_H

#include "http/request.h"

typedef int (*fq_handler_fn)(struct fq_req *r);

enum fq_route_flags {
	FQ_ROUTE_PUBLIC = 1,  /* no session needed */
	FQ_ROUTE_NO_CSRF = 2, /* state-changing but exempt from CSRF (login) */
};

struct fq_route {
	const char *method;
	const char *pattern;
	fq_handler_fn handler;
	unsigned flags;
};

/* NULL-terminated list of NULL-terminated tables (http/routes.c). */
extern const struct fq_route *const fq_route_tables[];

/*
 * Find the route for method and path, filling r->params. Returns the route,
 * or NULL with *path_known set when the path exists under another method
 * (405; allow receives the methods, comma-separated).
 */
const struct fq_route *fq_route_match(struct fq_req *r, const char *method, const char *path,
				      int *path_known, char *allow, size_t allow_size);

#endif
