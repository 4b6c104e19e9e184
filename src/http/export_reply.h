/*
 * The answer of an export endpoint (incidents, registries): the export's
 * audit entry written in its own transaction on the handler's connection,
 * then the file with its Content-Disposition (io/table_out.h,
 * fq_export_disposition).
 */
#ifndef FQ_HTTP_EXPORT_REPLY_H
#define FQ_HTTP_EXPORT_REPLY_H

#include <jansson.h>
#include <stddef.h>

#include "http/api.h"
#include "io/table_out.h"

struct fq_export_file {
	enum fq_export_format format;
	const char *ascii_name; /* "incidents": the plain file name's stem */
	const char *zh_name;	/* "警情": the RFC 5987 file name's stem */
	char *data;		/* malloc'd; taken over in every case */
	size_t len;
};

/*
 * Audit the export (action, what, object_type, detail: stolen) with the
 * borrowed connection c, which the caller releases afterwards; when that
 * succeeds, answer 200 with the file. On failure the file is freed and
 * the error returned (nothing is sent without its audit entry).
 */
int fq_req_export_reply(struct fq_req *r, struct fq_dbc *c, enum fq_action action, const char *what,
			const char *object_type, json_t *detail,
			struct fq_export_file *file) FQ_WUR;

#endif
