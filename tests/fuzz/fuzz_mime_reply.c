/* fuzz_mime_reply.c - libFuzzer harness for drafts made from received
 * mail: reply (each kind), forward inline, a postponed draft read back
 * (its attachments written into a private directory, then removed), and
 * the subject and References helpers.  Checks: every text handed to the
 * editor is valid UTF-8, the subjects never stack prefixes, and what
 * the draft lists as attachments lies inside the directory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "mime/mime.h"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static char *dir;

static void remove_dir(void)
{
	g_rmdir(dir); /* empty: check_draft removes what was written */
}

static void check_draft(struct mime_draft *d)
{
	if (!d)
		return;
	char *text = mime_draft_to_edit_text(d);
	CHECK(g_utf8_validate(text, -1, NULL));
	g_free(text);
	if (d->subject) {
		char *again = mime_reply_subject(d->subject);
		if (g_str_has_prefix(d->subject, "Re: "))
			CHECK(strcmp(again, d->subject) == 0);
		g_free(again);
	}
	for (guint i = 0; i < d->attachments->len; i++) {
		const char *p = d->attachments->pdata[i];
		char *parent = g_path_get_dirname(p);
		CHECK(strcmp(parent, dir) == 0);
		g_free(parent);
		g_unlink(p);
	}
	mime_draft_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const me[] = {"me@example.test", NULL};
	const struct mime_reply_opts o = {.me = me, .attribution = "On %d, %n wrote: %x %%"};
	const char *raw = (const char *)data;
	struct mime_draft *d = NULL;

	if (!dir) {
		dir = g_dir_make_tmp("fuzz-reply-XXXXXX", NULL);
		CHECK(dir);
		atexit(remove_dir);
	}
	for (int k = MIME_REPLY_SENDER; k <= MIME_REPLY_LIST; k++) {
		d = NULL;
		mime_reply_draft(raw, size, (enum mime_reply_kind)k, &o, &d, NULL);
		check_draft(d);
	}
	d = NULL;
	mime_forward_draft(raw, size, "--", NULL, &d, NULL);
	check_draft(d);
	d = NULL;
	mime_draft_from_message(raw, size, dir, &d, NULL);
	check_draft(d);

	char *s = g_strndup(raw, size);
	if (g_utf8_validate(s, -1, NULL)) {
		char *re = mime_reply_subject(s);
		char *re2 = mime_reply_subject(re);
		CHECK(strcmp(re, re2) == 0);
		g_free(re2);
		g_free(re);
		char *refs = mime_reply_references(s, s, s);
		CHECK(!strchr(refs, '\n'));
		g_free(refs);
	}
	g_free(s);
	return 0;
}
