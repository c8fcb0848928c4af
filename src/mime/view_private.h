/* view_private.h - shared by the reading side of src/mime (view*.c,
 * html*.c, attach_*.c); nothing outside src/mime includes it. */
#ifndef MAILTUI_MIME_VIEW_PRIVATE_H
#define MAILTUI_MIME_VIEW_PRIVATE_H

#include "mime/mime.h"

#include <gmime/gmime.h>

/* Decoded text of one inline part is cut here: a pager has no use for
 * more, and a hostile 1 GB part must not take the memory with it. */
#define VIEW_MAX_TEXT (16u << 20)
/* A header value is cut here before wrapping (the 100 KB Subject). */
#define VIEW_MAX_HEADER (16u << 10)
#define VIEW_DEFAULT_COLS 80
#define VIEW_HTML_TIMEOUT_MS 5000

/* A line before wrapping: a header, a line of a text part, a marker. */
struct view_logical {
	enum mime_line_kind kind; /* never MIME_LINE_HEADER_CONT */
	int level;
	int depth;
	int name_len;
	int attachment;
	char *text; /* owned, terminal safe, no '\n' */
};

struct mime_view {
	GArray *logical;    /* of struct view_logical */
	GArray *lines;      /* of struct mime_line, text borrowed from wrapped */
	GPtrArray *wrapped; /* of char*, owned: the texts of lines */
	int cols;
	GArray *atts;       /* of struct mime_attachment, strings owned */
	GPtrArray *objects; /* of GMimeObject* (a ref) or NULL, parallel to atts */
	GPtrArray *bytes;   /* of GBytes* or NULL, parallel to atts: set_bytes */
	GPtrArray *headers; /* of char*: header names to show, owned */
	char *html_command; /* owned, NULL: the built-in stripper */
	int html_timeout_ms;
	GMimeParserOptions *popts;
	GMimeMessage *message; /* whole-message views; NULL for lazy ones */
};

/* view.c */
void view_add(struct mime_view *v, enum mime_line_kind kind, int level, int depth, int name_len,
              int attachment, char *text_owned);
size_t view_add_attachment(struct mime_view *v, const char *content_type, const char *filename,
                           int64_t size, const char *section, GMimeObject *obj);
void view_add_marker(struct mime_view *v, size_t index, int depth);

/* view_headers.c: the chosen headers of list at depth. */
void view_add_headers(struct mime_view *v, GMimeHeaderList *list, int depth);

/* view_text.c: text (UTF-8, any line ends) as body lines with quote and
 * signature kinds.  html: convert first (command or stripper). */
void view_add_text(struct mime_view *v, const char *utf8, size_t len, bool html, int depth);
/* Bytes in charset (NULL: unknown) as owned valid UTF-8.  Unknown
 * charsets and invalid input fall back to UTF-8, then windows-1252. */
char *view_to_utf8(const char *bytes, size_t len, const char *charset);
/* Decoded content of a leaf part (transfer encoding undone), at most max
 * bytes.  Owned. */
GByteArray *view_part_bytes(GMimePart *part, size_t max);

/* view_walk.c: the body of a message, recursively. */
void view_walk(struct mime_view *v, GMimeObject *obj, const char *section, int depth);
/* The body of a message at section (NULL: the top message). */
void view_walk_body(struct mime_view *v, GMimeObject *body, const char *section, int depth);

/* view_wrap.c: rebuild v->lines from v->logical at v->cols. */
void view_wrap_all(struct mime_view *v);
/* Append the pieces of text, wrapped at cols, to out (owned strings). */
void view_wrap_text(const char *text, int cols, GPtrArray *out);

/* html_strip.c: HTML (UTF-8) to plain text; owned, not yet terminal safe. */
char *html_strip(const char *html, size_t len);
/* html_command.c: run argv-string cmd with html on stdin; owned stdout
 * or NULL on failure, timeout (ms) or a non-zero exit. */
char *html_run_command(const char *cmd, const char *html, size_t len, int timeout_ms,
                       size_t max_out);

#endif
