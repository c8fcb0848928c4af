/* test_thread.c - client-side threading. */
#include <string.h>

#include <glib.h>

#include "app/app.h"

struct row { const char *id, *irt, *refs; time_t date; };

static GPtrArray *make(const struct row *rows, guint n)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(app_msg_free);
	for (guint i = 0; i < n; i++) {
		struct app_msg *m = app_msg_new();
		m->uid = i + 1;
		m->message_id = g_strdup(rows[i].id);
		m->in_reply_to = g_strdup(rows[i].irt);
		m->references = g_strdup(rows[i].refs);
		m->date = rows[i].date;
		g_ptr_array_add(a, m);
	}
	return a;
}

/* Rows as "uid:depth" so a failure shows the whole tree. */
static char *layout(const struct row *rows, guint n)
{
	GPtrArray *a = make(rows, n);
	unsigned order[64];
	int depth[64];
	bool last[64];
	app_thread_order(a, order, depth, last);
	GString *s = g_string_new("");
	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "%s%u:%d", i ? " " : "",
			((struct app_msg *)g_ptr_array_index(a, order[i]))->uid, depth[i]);
	g_ptr_array_free(a, TRUE);
	return g_string_free(s, FALSE);
}

static const struct {
	const char *name;
	struct row rows[8];
	guint n;
	const char *want;
} cases[] = {
	{ "flat by date", { { "<a>", NULL, NULL, 30 }, { "<b>", NULL, NULL, 10 }, { "<c>", NULL, NULL, 20 } }, 3,
	  "2:0 3:0 1:0" },
	{ "reply chain by References",
	  { { "<r>", NULL, NULL, 1 }, { "<x>", NULL, "<r>", 2 }, { "<y>", NULL, "<r> <x>", 3 } }, 3,
	  "1:0 2:1 3:2" },
	{ "In-Reply-To when References is missing",
	  { { "<y>", "<x>", NULL, 3 }, { "<x>", "<r>", NULL, 2 }, { "<r>", NULL, NULL, 1 } }, 3,
	  "3:0 2:1 1:2" },
	{ "missing parent makes a root", { { "<a>", NULL, "<gone>", 5 }, { "<b>", NULL, "<gone> <a>", 6 } }, 2,
	  "1:0 2:1" },
	{ "siblings by date", { { "<r>", NULL, NULL, 1 }, { "<s2>", "<r>", NULL, 9 }, { "<s1>", "<r>", NULL, 4 } }, 3,
	  "1:0 3:1 2:1" },
	{ "cycle is broken", { { "<a>", "<b>", NULL, 1 }, { "<b>", "<a>", NULL, 2 } }, 2, "2:0 1:1" },
	{ "self reference", { { "<a>", "<a>", "<a>", 1 } }, 1, "1:0" },
	{ "duplicate ids", { { "<a>", NULL, NULL, 1 }, { "<a>", NULL, NULL, 2 }, { "<c>", "<a>", NULL, 3 } }, 3,
	  "1:0 3:1 2:0" },
};

static void test_cases(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = layout(cases[i].rows, cases[i].n);
		if (g_strcmp0(got, cases[i].want) != 0)
			g_error("%s: got \"%s\", want \"%s\"", cases[i].name, got, cases[i].want);
		g_free(got);
	}
}

/* ---- folding collapsed threads ----------------------------------------- */

struct fold_ctx {
	const char *collapsed; /* thread ids (as characters) that are folded */
	unsigned asked;        /* how many times the callback ran */
};

static bool is_collapsed(unsigned thread, void *ctx)
{
	struct fold_ctx *fc = ctx;
	fc->asked++;
	return strchr(fc->collapsed, (int)thread) != NULL;
}

/* Threads as a string of ids, one character per row ("aaab").  Result:
 * each visible row as "row" or "row+hidden", then "|" and the map. */
static char *fold(const char *threads, const char *collapsed, unsigned *asked)
{
	unsigned n = (unsigned)strlen(threads);
	unsigned thread[64] = { 0 }, map[64] = { 0 };
	struct app_fold_row out[64];
	for (unsigned i = 0; i < n; i++)
		thread[i] = (unsigned char)threads[i];
	struct fold_ctx fc = { collapsed, 0 };
	unsigned shown = app_thread_fold(thread, n, is_collapsed, &fc, out, map);
	GString *s = g_string_new("");
	for (unsigned v = 0; v < shown; v++) {
		g_string_append_printf(s, "%s%u", v ? " " : "", out[v].row);
		if (out[v].hidden)
			g_string_append_printf(s, "+%u", out[v].hidden);
	}
	g_string_append(s, " |");
	for (unsigned i = 0; i < n; i++)
		g_string_append_printf(s, " %u", map[i]);
	*asked = fc.asked;
	return g_string_free(s, FALSE);
}

static void test_fold(void)
{
	static const struct {
		const char *name, *threads, *collapsed, *want;
		unsigned asked;
	} fc[] = {
		{ "nothing collapsed", "aaabc", "", "0 1 2 3 4 | 0 1 2 3 4", 1 },
		{ "one thread folded", "aaabc", "a", "0+2 3 4 | 0 0 0 1 2", 1 },
		{ "single messages are never folded nor asked", "abcd", "abcd", "0 1 2 3 | 0 1 2 3", 0 },
		{ "all folded", "aabbbc", "abc", "0+1 2+2 5 | 0 0 1 1 1 2", 2 },
		{ "middle folded", "aabbcc", "b", "0 1 2+1 4 5 | 0 1 2 2 3 4", 3 },
		{ "last folded", "abbb", "b", "0 1+2 | 0 1 1 1", 1 },
		{ "empty", "", "a", " |", 0 },
	};
	for (guint i = 0; i < G_N_ELEMENTS(fc); i++) {
		unsigned asked;
		char *got = fold(fc[i].threads, fc[i].collapsed, &asked);
		if (g_strcmp0(got, fc[i].want) != 0)
			g_error("%s: got \"%s\", want \"%s\"", fc[i].name, got, fc[i].want);
		if (asked != fc[i].asked)
			g_error("%s: asked %u times, want %u", fc[i].name, asked, fc[i].asked);
		g_free(got);
	}
}

static bool fold_all(unsigned thread, void *ctx)
{
	(void)thread;
	(void)ctx;
	return true;
}

/* Threading then folding, as the index does: each root shows with its
 * replies counted; the thread of a row is the index of its root. */
static void test_order_then_fold(void)
{
	static const struct row rows[] = {
		{ "<r>", NULL, NULL, 1 }, { "<x>", "<r>", "<r>", 2 }, { "<lone>", NULL, NULL, 3 },
		{ "<y>", "<x>", "<r> <x>", 4 }, { "<s>", NULL, NULL, 5 }, { "<t>", "<s>", "<s>", 6 },
	};
	GPtrArray *a = make(rows, G_N_ELEMENTS(rows));
	unsigned n = a->len, order[8], thread[8];
	int depth[8];
	bool last[8];
	app_thread_order(a, order, depth, last);
	for (unsigned r = 0; r < n; r++)
		thread[r] = depth[r] == 0 ? order[r] : thread[r - 1];
	struct app_fold_row out[8];
	unsigned shown = app_thread_fold(thread, n, fold_all, NULL, out, NULL);
	GString *s = g_string_new("");
	for (unsigned v = 0; v < shown; v++)
		g_string_append_printf(s, "%s%u(%u)", v ? " " : "",
			((struct app_msg *)a->pdata[order[out[v].row]])->uid, out[v].hidden);
	g_assert_cmpstr(s->str, ==, "1(2) 3(0) 5(1)");
	g_string_free(s, TRUE);
	g_ptr_array_free(a, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/app/thread/cases", test_cases);
	g_test_add_func("/app/thread/fold", test_fold);
	g_test_add_func("/app/thread/order-then-fold", test_order_then_fold);
	return g_test_run();
}
