/*
 * The web UI, embedded in the binary from web/dist at build time. Lookups
 * are exact matches against the embedded names, so no request can reach a
 * file outside the build. Paths that look like application routes (no dot
 * in the last segment) get index.html, for the single-page app's router.
 */
#ifndef FQ_HTTP_STATIC_H
#define FQ_HTTP_STATIC_H

#include "core/embed.h"

struct fq_server_config;

const struct fq_embedded_file *fq_static_find(const char *path);
const char *fq_static_content_type(const char *name);
/* The Content-Security-Policy for UI pages (allows the tile server if set). */
const char *fq_static_csp(const struct fq_server_config *cfg);

#endif
