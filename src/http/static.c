#include "http/static.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/server.h"
#include "core/banned.h"

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct fq_embedded_file *)elem)->name);
}

static const struct fq_embedded_file *lookup(const char *name)
{
	return bsearch(name, fq_embedded_web, fq_embedded_web_count, sizeof(fq_embedded_web[0]),
		       cmp_name);
}

const struct fq_embedded_file *fq_static_find(const char *path)
{
	const struct fq_embedded_file *f;
	const char *last;

	if (path[0] != '/')
		return NULL;
	if (strcmp(path, "/") == 0)
		return lookup("index.html");
	f = lookup(path + 1);
	if (f)
		return f;
	last = strrchr(path, '/');
	if (last && !strchr(last, '.'))
		return lookup("index.html");
	return NULL;
}

const char *fq_static_content_type(const char *name)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".jpg", "image/jpeg"},
	    {".ico", "image/x-icon"},
	    {".woff", "font/woff"},
	    {".woff2", "font/woff2"},
	    {".ttf", "font/ttf"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".map", "application/json"},
	};
	const char *dot = strrchr(name, '.');
	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

const char *fq_static_csp(const struct fq_server_config *cfg)
{
	(void)cfg;
	/* Tiles, when configured, are images from another origin. */
	if (cfg && cfg->tile_url)
		return "default-src 'self'; img-src 'self' data: blob: https: http:; "
		       "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
		       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
	return "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
	       "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	       "form-action 'self'";
}
