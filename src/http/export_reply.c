#include "http/export_reply.h"

#include <stdlib.h>

#include "core/timeutil.h"
#include "core/banned.h"

int fq_req_export_reply(struct fq_req *r, struct fq_dbc *c, enum fq_action action, const char *what,
			const char *object_type, json_t *detail, struct fq_export_file *file)
{
	char disposition[300];
	int rc = fq_dbc_begin(c, 1, &r->err);

	if (rc) {
		json_decref(detail);
	} else {
		rc = fq_req_audit(r, c, action, what, object_type, NULL, NULL, detail);
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (rc) {
		free(file->data);
		file->data = NULL;
		return rc;
	}
	fq_export_disposition(disposition, sizeof(disposition), file->ascii_name, file->zh_name,
			      fq_now_ms(), file->format);
	fq_req_add_header(r, "Content-Disposition", disposition);
	rc =
	    fq_req_reply_bytes(r, 200, fq_export_content_type(file->format), file->data, file->len);
	file->data = NULL;
	return rc;
}
