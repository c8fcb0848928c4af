/* test_thread.c - client-side threading. */
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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/app/thread/cases", test_cases);
	return g_test_run();
}
