/*
 * The printable contact card (警民联系卡): a 90 × 54 mm card with the
 * officer's name and role, the grid and station, the phone to call, a line
 * of their own, and a QR code (libqrencode) of the card's public page,
 * where a resident leaves a message or books a door-to-door service.
 * Drawn with cairo and pango (CJK text through fontconfig: the packaged
 * WenQuanYi Micro Hei or Noto CJK), as PDF (vector, for print) or PNG
 * (300 dpi). Rendering is serialised by a mutex (fontconfig and pango
 * caches); it takes a few milliseconds.
 */
#ifndef FQ_COMMUNITY_CARD_RENDER_H
#define FQ_COMMUNITY_CARD_RENDER_H

#include <stddef.h>

#include "core/err.h"

struct fq_card_face {
	const char *officer_name;
	const char *role_label; /* "社区民警" */
	const char *unit_name;	/* the grid or post */
	const char *station_name;
	const char *phone; /* as printed, may be NULL */
	const char *motto; /* may be NULL */
	const char *url;   /* the public page: the QR code's content */
};

enum fq_card_format { FQ_CARD_PDF, FQ_CARD_PNG };

#define FQ_CARD_PNG_DPI 300

/*
 * Draw the card. *out receives a malloc'd buffer of *len bytes (the caller
 * frees it). FQ_EINVAL "url_too_long" when the URL does not fit a QR code;
 * FQ_EINTERNAL when drawing fails.
 */
int fq_card_render(const struct fq_card_face *face, enum fq_card_format format, unsigned char **out,
		   size_t *len, struct fq_err *err) FQ_WUR;

/* Release the font caches (at exit, so leak checkers see a clean heap). */
void fq_card_render_cleanup(void);

#endif
