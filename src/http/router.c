#include "http/router.h"

#include <string.h>

#include "core/banned.h"

/* Match path against pattern; captures go to params (pool-allocated). */
static int match(struct fq_req *r, const char *pattern, const char *path, const char **params,
		 int *nparams)
{
	const char *p = pattern, *s = path;
	int n = 0;

	while (*p && *s) {
		if (*p == ':') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			if (len == 0 || n >= FQ_REQ_MAX_PARAMS)
				return 0;
			params[n++] = fq_pool_strndup(&r->pool, s, len);
			s += len;
			while (*p && *p != '/')
				p++;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*p || *s)
		return 0;
	*nparams = n;
	return 1;
}

const struct fq_route *fq_route_match(struct fq_req *r, const char *method, const char *path,
				      int *path_known, char *allow, size_t allow_size)
{
	const char *params[FQ_REQ_MAX_PARAMS];
	int nparams = 0;
	size_t used = 0;

	*path_known = 0;
	if (allow_size)
		allow[0] = '\0';
	for (int t = 0; fq_route_tables[t]; t++)
		for (const struct fq_route *rt = fq_route_tables[t]; rt->method; rt++) {
			if (!match(r, rt->pattern, path, params, &nparams))
				continue;
			if (strcmp(rt->method, method) == 0) {
				memcpy(r->params, params, sizeof(params[0]) * (size_t)nparams);
				r->nparams = nparams;
				return rt;
			}
			*path_known = 1;
			if (used + strlen(rt->method) + 3 < allow_size) {
				if (used) {
					memcpy(allow + used, ", ", 2);
					used += 2;
				}
				memcpy(allow + used, rt->method, strlen(rt->method));
				used += strlen(rt->method);
				allow[used] = '\0';
			}
		}
	return NULL;
}
