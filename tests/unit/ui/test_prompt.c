/* test_prompt.c - the line prompt's editing and completion, driven by
 * keys without a terminal (drawing is tested by the tmux tests). */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ui/ui_private.h"

#define KEY_CTRL(c) ((c) & 0x1f)

struct answer {
	int calls;
	char *text;
	bool cancelled;
};

static void done(struct ui *ui, void *ctx, const char *text)
{
	struct answer *a = ctx;
	(void)ui;
	a->calls++;
	g_free(a->text);
	a->text = g_strdup(text);
	a->cancelled = text == NULL;
}

static void type(struct ui *ui, const char *utf8)
{
	for (const char *c = utf8; *c; c = g_utf8_next_char(c))
		ui_prompt_key(ui, (wint_t)g_utf8_get_char(c), false);
}

static void test_editing(void)
{
	struct ui ui = {0};
	struct answer a = {0};
	ui_prompt(&ui, "To: ", "abc", NULL, done, &a);
	g_assert_true(ui_prompt_pending(&ui));
	type(&ui, "dé");                               /* abcdé| */
	ui_prompt_key(&ui, KEY_LEFT, true);            /* abcd|é */
	ui_prompt_key(&ui, KEY_LEFT, true);            /* abc|dé */
	ui_prompt_key(&ui, KEY_BACKSPACE, true);       /* ab|dé */
	type(&ui, "Việt");                             /* abViệt|dé */
	ui_prompt_key(&ui, KEY_CTRL('a'), false);
	ui_prompt_key(&ui, KEY_DC, true);              /* |bViệtdé */
	ui_prompt_key(&ui, KEY_END, true);
	type(&ui, " x");
	ui_prompt_key(&ui, KEY_CTRL('w'), false);      /* bViệtdé | */
	type(&ui, "\x01"); /* control characters are not inserted */
	g_assert_cmpint(a.calls, ==, 0);
	ui_prompt_key(&ui, '\r', false);
	g_assert_cmpint(a.calls, ==, 1);
	g_assert_cmpstr(a.text, ==, "bViệtdé ");
	g_assert_false(ui_prompt_pending(&ui));

	/* ^U kills to the start, ^K to the end. */
	ui_prompt(&ui, "? ", "hello world", NULL, done, &a);
	ui_prompt_key(&ui, KEY_HOME, true);
	for (int i = 0; i < 6; i++)
		ui_prompt_key(&ui, KEY_RIGHT, true);
	ui_prompt_key(&ui, KEY_CTRL('k'), false);
	ui_prompt_key(&ui, KEY_LEFT, true);
	ui_prompt_key(&ui, KEY_CTRL('u'), false);
	ui_prompt_key(&ui, '\n', false);
	g_assert_cmpstr(a.text, ==, " ");
	g_free(a.text);
	g_free(ui.status);
}

static void test_cancel(void)
{
	struct ui ui = {0};
	struct answer a = {0}, b = {0};
	ui_prompt(&ui, "? ", "x", NULL, done, &a);
	ui_prompt_key(&ui, 27, false);
	g_assert_cmpint(a.calls, ==, 1);
	g_assert_true(a.cancelled);
	g_assert_false(ui_prompt_pending(&ui));

	/* A new prompt cancels the pending one: each done exactly once. */
	ui_prompt(&ui, "1 ", "", NULL, done, &a);
	ui_prompt(&ui, "2 ", "", NULL, done, &b);
	g_assert_cmpint(a.calls, ==, 2);
	g_assert_true(a.cancelled);
	ui_prompt_cancel(&ui);
	g_assert_cmpint(b.calls, ==, 1);
	g_assert_true(b.cancelled);
	ui_prompt_cancel(&ui); /* nothing pending: nothing called */
	g_assert_cmpint(b.calls, ==, 1);
}

static const char *const folders[] = { "INBOX", "Archive", "Archive/2025", "Drafts", "Thư mục" };

static GPtrArray *complete_folders(void *ctx, const char *text)
{
	(void)ctx;
	return ui_complete_words(folders, G_N_ELEMENTS(folders), text);
}

static void test_complete_words(void)
{
	struct ui ui = {0};
	struct answer a = {0};
	/* One match: completed at once. */
	ui_prompt(&ui, "Move to: ", "d", complete_folders, done, &a);
	ui_prompt_key(&ui, '\t', false);
	ui_prompt_key(&ui, '\r', false);
	g_assert_cmpstr(a.text, ==, "Drafts");

	/* Two matches: the common prefix, then each Tab the next choice. */
	ui_prompt(&ui, "Move to: ", "Ar", complete_folders, done, &a);
	ui_prompt_key(&ui, '\t', false);
	ui_prompt_key(&ui, '\r', false);
	g_assert_cmpstr(a.text, ==, "Archive");
	ui_prompt(&ui, "Move to: ", "Ar", complete_folders, done, &a);
	ui_prompt_key(&ui, '\t', false);
	ui_prompt_key(&ui, '\t', false);
	ui_prompt_key(&ui, '\t', false);
	ui_prompt_key(&ui, '\r', false);
	g_assert_cmpstr(a.text, ==, "Archive/2025");

	/* Non-ASCII names; no match leaves the text and says so. */
	ui_prompt(&ui, "Move to: ", "th", complete_folders, done, &a);
	ui_prompt_key(&ui, '\t', false);
	ui_prompt_key(&ui, '\r', false);
	g_assert_cmpstr(a.text, ==, "Thư mục");
	ui_prompt(&ui, "Move to: ", "zz", complete_folders, done, &a);
	ui_prompt_key(&ui, '\t', false);
	g_assert_true(ui.status_error);
	ui_prompt_key(&ui, '\r', false);
	g_assert_cmpstr(a.text, ==, "zz");
	g_free(a.text);
	g_free(ui.status);
}

static void test_complete_path(void)
{
	struct ui ui = {0};
	struct answer a = {0};
	char *dir = g_dir_make_tmp("prompt-XXXXXX", NULL);
	char *f1 = g_build_filename(dir, "report-2025.pdf", NULL);
	char *f2 = g_build_filename(dir, "report-2026.pdf", NULL);
	char *sub = g_build_filename(dir, "sub", NULL);
	char *hidden = g_build_filename(dir, ".secret", NULL);
	g_assert_true(g_file_set_contents(f1, "x", 1, NULL));
	g_assert_true(g_file_set_contents(f2, "x", 1, NULL));
	g_assert_true(g_file_set_contents(hidden, "x", 1, NULL));
	g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);

	char *start = g_strconcat(dir, "/re", NULL);
	ui_prompt(&ui, "Attach: ", start, ui_complete_path, done, &a);
	ui_prompt_key(&ui, '\t', false);
	ui_prompt_key(&ui, '\r', false);
	char *want = g_strconcat(dir, "/report-202", NULL);
	g_assert_cmpstr(a.text, ==, want);
	g_free(want);

	/* A directory gets its slash; hidden files stay hidden. */
	char *s2 = g_strconcat(dir, "/s", NULL);
	ui_prompt(&ui, "Attach: ", s2, ui_complete_path, done, &a);
	ui_prompt_key(&ui, '\t', false);
	ui_prompt_key(&ui, '\r', false);
	want = g_strconcat(dir, "/sub/", NULL);
	g_assert_cmpstr(a.text, ==, want);
	g_free(want);
	char *slash = g_strconcat(dir, "/", NULL);
	GPtrArray *all = ui_complete_path(NULL, dir); /* the directory's own name */
	g_assert_cmpuint(all->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(all, 0), ==, slash);
	g_ptr_array_unref(all);
	all = ui_complete_path(NULL, slash);
	g_assert_cmpuint(all->len, ==, 3);
	g_ptr_array_unref(all);

	g_remove(f1);
	g_remove(f2);
	g_remove(hidden);
	g_rmdir(sub);
	g_rmdir(dir);
	g_free(slash);
	g_free(s2);
	g_free(start);
	g_free(f1);
	g_free(f2);
	g_free(sub);
	g_free(hidden);
	g_free(dir);
	g_free(a.text);
	g_free(ui.status);
}

/* The status line's progress: set with its text, capped at the total,
 * and gone with the next plain status. */
static void test_progress(void)
{
	struct ui ui = {0};
	ui_set_progress(&ui, 50, 200, "Sending: %d%%", 25);
	g_assert_cmpstr(ui.status, ==, "Sending: 25%");
	g_assert_cmpuint(ui.progress_done, ==, 50);
	g_assert_cmpuint(ui.progress_total, ==, 200);
	g_assert_true(ui.dirty);
	ui_set_progress(&ui, 300, 200, "%s", "more than all");
	g_assert_cmpuint(ui.progress_done, ==, 200);
	ui_set_status(&ui, false, "%s", "Message sent.");
	g_assert_cmpuint(ui.progress_total, ==, 0);
	g_free(ui.status);
}

/* The question stays whole at 80 columns; cut with "…" only when less
 * than UI_PROMPT_MIN_ROOM columns would be left for the answer. */
static void test_fit_question(void)
{
	const char *q = "Limit to messages containing (empty: all): ";
	char *s = ui_prompt_fit_question(q, 80);
	g_assert_cmpstr(s, ==, q);
	g_free(s);
	s = ui_prompt_fit_question(q, (int)strlen(q) + UI_PROMPT_MIN_ROOM);
	g_assert_cmpstr(s, ==, q);
	g_free(s);
	s = ui_prompt_fit_question(q, 30);
	g_assert_true(g_str_has_suffix(s, "…"));
	g_assert_true(g_str_has_prefix(s, "Limit to"));
	g_assert_cmpint(g_utf8_strlen(s, -1), ==, 30 - UI_PROMPT_MIN_ROOM);
	g_free(s);
	/* Control bytes never reach the screen. */
	s = ui_prompt_fit_question("Save \033[2J to: ", 80);
	g_assert_null(strchr(s, '\033'));
	g_free(s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui/prompt/editing", test_editing);
	g_test_add_func("/ui/prompt/fit_question", test_fit_question);
	g_test_add_func("/ui/prompt/cancel", test_cancel);
	g_test_add_func("/ui/prompt/complete_words", test_complete_words);
	g_test_add_func("/ui/prompt/complete_path", test_complete_path);
	g_test_add_func("/ui/status/progress", test_progress);
	return g_test_run();
}
