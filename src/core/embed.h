/*
 * Files embedded in the binary at build time by tools/embed.c: the schema
 * migrations (fq_embedded_migrations, sorted by name) and the built web UI
 * (fq_embedded_web, sorted by path) and the OpenAPI document. Data is NUL-terminated for
 * convenience; len excludes the NUL.
 */
#ifndef FQ_CORE_EMBED_H
#define FQ_CORE_EMBED_H

#include <stddef.h>

struct fq_embedded_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

extern const struct fq_embedded_file fq_embedded_migrations[];
extern const size_t fq_embedded_migrations_count;
extern const struct fq_embedded_file fq_embedded_web[];
extern const size_t fq_embedded_web_count;
/* The OpenAPI document, src/http/openapi.json (one entry). */
extern const struct fq_embedded_file fq_embedded_openapi[];
extern const size_t fq_embedded_openapi_count;

#endif
