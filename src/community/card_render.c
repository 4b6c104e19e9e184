#include "community/card_render.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/banned.h"

/* The card in points (1 mm = 72 / 25.4 pt): 90 × 54 mm. */
#define MM     (72.0 / 25.4)
#define CARD_W (90.0 * MM)
#define CARD_H (54.0 * MM)
#define FONTS  "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"

static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int length)
{
	return fq_buf_add(closure, data, length) == 0 ? CAIRO_STATUS_SUCCESS
						      : CAIRO_STATUS_WRITE_ERROR;
}

/* One line of text at (x, y), cut with an ellipsis to width w. Returns its height. */
static double text(cairo_t *cr, const char *s, double x, double y, double w, double size, int bold,
		   double r, double g, double b)
{
	PangoLayout *layout;
	PangoFontDescription *fd;
	int pw, ph;

	if (!s || !*s)
		return 0;
	layout = pango_cairo_create_layout(cr);
	fd = pango_font_description_from_string(FONTS);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(layout, fd);
	pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
	pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
	pango_layout_set_text(layout, s, -1);
	cairo_set_source_rgb(cr, r, g, b);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, layout);
	pango_layout_get_size(layout, &pw, &ph);
	pango_font_description_free(fd);
	g_object_unref(layout);
	return (double)ph / PANGO_SCALE;
}

/* The QR code with its quiet zone in the square at (x, y) of side size. */
static void qr(cairo_t *cr, const QRcode *q, double x, double y, double size)
{
	int quiet = 4, n = q->width + 2 * quiet;
	double m = size / n;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int row = 0; row < q->width; row++)
		for (int col = 0; col < q->width; col++)
			if (q->data[row * q->width + col] & 1)
				cairo_rectangle(cr, x + (col + quiet) * m, y + (row + quiet) * m, m,
						m);
	cairo_fill(cr);
}

static void draw(cairo_t *cr, const struct fq_card_face *f, const QRcode *q)
{
	const double blue[3] = {0.10, 0.23, 0.52};
	const double pad = 4 * MM, band = 9 * MM, qsize = 27 * MM;
	const double qx = CARD_W - pad - qsize, qy = band + 4 * MM;
	const double tw = qx - pad - 2 * MM;
	char line[256];
	double y;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	/* Title band. */
	cairo_set_source_rgb(cr, blue[0], blue[1], blue[2]);
	cairo_rectangle(cr, 0, 0, CARD_W, band);
	cairo_fill(cr);
	text(cr, "警民联系卡", pad, 2.0 * MM, 40 * MM, 12, 1, 1, 1, 1);
	text(cr, "有事找民警 · 紧急情况请拨 110", 44 * MM, 3.2 * MM, CARD_W - 44 * MM - pad, 6.5, 0,
	     1, 1, 1);

	y = band + 4 * MM;
	y += text(cr, f->officer_name, pad, y, tw, 15, 1, 0.1, 0.1, 0.1);
	y += text(cr, f->role_label, pad, y, tw, 8, 0, blue[0], blue[1], blue[2]) + 1.5 * MM;
	y += text(cr, f->unit_name, pad, y, tw, 8, 0, 0.2, 0.2, 0.2) + 0.5 * MM;
	y += text(cr, f->station_name, pad, y, tw, 7, 0, 0.35, 0.35, 0.35) + 1.5 * MM;
	if (f->phone && *f->phone) {
		snprintf(line, sizeof(line), "电话：%s", f->phone);
		y += text(cr, line, pad, y, tw, 9, 1, 0.1, 0.1, 0.1);
	}
	if (f->motto && *f->motto)
		text(cr, f->motto, pad, CARD_H - pad - 4 * MM, tw, 6.5, 0, 0.35, 0.35, 0.35);

	qr(cr, q, qx, qy, qsize);
	text(cr, "扫码留言 · 预约上门服务", qx - 2 * MM, qy + qsize + 0.8 * MM, qsize + 4 * MM, 5.5,
	     0, 0.3, 0.3, 0.3);
	/* A thin frame to cut along. */
	cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
	cairo_set_line_width(cr, 0.5);
	cairo_rectangle(cr, 0.25, 0.25, CARD_W - 0.5, CARD_H - 0.5);
	cairo_stroke(cr);
}

int fq_card_render(const struct fq_card_face *face, enum fq_card_format format, unsigned char **out,
		   size_t *len, struct fq_err *err)
{
	cairo_surface_t *surface;
	cairo_status_t status;
	struct fq_buf b;
	QRcode *q;
	cairo_t *cr;

	if (!face->url || strlen(face->url) > 512)
		return fq_err_set(err, FQ_EINVAL, "url_too_long", "url", "联系卡网址过长");
	q = QRcode_encodeString(face->url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "二维码生成失败");
	fq_buf_init(&b, 8u * 1024u * 1024u);
	pthread_mutex_lock(&render_lock);
	if (format == FQ_CARD_PDF) {
		surface = cairo_pdf_surface_create_for_stream(write_buf, &b, CARD_W, CARD_H);
		cr = cairo_create(surface);
		draw(cr, face, q);
		cairo_show_page(cr);
		cairo_destroy(cr);
		cairo_surface_finish(surface);
		status = cairo_surface_status(surface);
	} else {
		double scale = FQ_CARD_PNG_DPI / 72.0;
		surface = cairo_image_surface_create(
		    CAIRO_FORMAT_RGB24, (int)(CARD_W * scale + 0.5), (int)(CARD_H * scale + 0.5));
		cr = cairo_create(surface);
		cairo_scale(cr, scale, scale);
		draw(cr, face, q);
		cairo_destroy(cr);
		status = cairo_surface_write_to_png_stream(surface, write_buf, &b);
	}
	cairo_surface_destroy(surface);
	pthread_mutex_unlock(&render_lock);
	QRcode_free(q);
	if (status != CAIRO_STATUS_SUCCESS) {
		fq_buf_release(&b);
		return fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "联系卡绘制失败：%s",
				  cairo_status_to_string(status));
	}
	*out = (unsigned char *)fq_buf_detach(&b, len);
	return 0;
}

void fq_card_render_cleanup(void)
{
	pthread_mutex_lock(&render_lock);
	/*
	 * Not cairo_debug_reset_static_data(): it asserts when a cache entry is
	 * still referenced (a scaled font held by another thread's cache). What
	 * cairo keeps is reachable from its statics, so leak checkers accept it.
	 */
	pango_cairo_font_map_set_default(NULL);
	FcFini();
	pthread_mutex_unlock(&render_lock);
}
