/* prompt.c - a one-line editor in the status line, with Tab completion.
 * The screen that asks gets exactly one call of its done callback. */
#include <dirent.h>
#include <string.h>

#include <curses.h>
#include <glib.h>

#include "core/core.h"
#include "core/i18n.h"
#include "ui/ui_private.h"

#define KEY_CTRL(c) ((c) & 0x1f)

struct ui_prompt {
	char *question;         /* translated, owned */
	GArray *line;           /* of gunichar: what the user typed */
	guint cursor;           /* index into line */
	ui_prompt_complete_fn complete;
	ui_prompt_done_fn done;
	void *ctx;
	GPtrArray *cands;       /* candidates of the last Tab, owned, or NULL */
	guint cand_next;        /* the candidate the next Tab shows */
	char *cand_base;        /* the line the candidates were made for */
};

static char *line_text(const struct ui_prompt *p)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < p->line->len; i++)
		g_string_append_unichar(s, g_array_index(p->line, gunichar, i));
	return g_string_free(s, FALSE);
}

static void set_line(struct ui_prompt *p, const char *text)
{
	g_array_set_size(p->line, 0);
	for (const char *c = text; c && *c; c = g_utf8_next_char(c)) {
		gunichar u = g_utf8_get_char_validated(c, -1);
		if (u == (gunichar)-1 || u == (gunichar)-2)
			break;
		g_array_append_val(p->line, u);
	}
	p->cursor = p->line->len;
}

static void forget_candidates(struct ui_prompt *p)
{
	if (p->cands)
		g_ptr_array_unref(p->cands);
	p->cands = NULL;
	g_free(p->cand_base);
	p->cand_base = NULL;
}

static void prompt_free(struct ui_prompt *p)
{
	if (!p)
		return;
	forget_candidates(p);
	g_array_unref(p->line);
	g_free(p->question);
	g_free(p);
}

void ui_prompt(struct ui *ui, const char *question, const char *initial,
	ui_prompt_complete_fn complete, ui_prompt_done_fn done, void *ctx)
{
	struct ui_prompt *p = g_new0(struct ui_prompt, 1);
	p->question = g_strdup(question);
	p->line = g_array_new(FALSE, FALSE, sizeof(gunichar));
	p->complete = complete;
	p->done = done;
	p->ctx = ctx;
	set_line(p, initial);
	if (ui->prompt) {
		/* A second question replaces the first, which is cancelled. */
		struct ui_prompt *old = ui->prompt;
		ui->prompt = NULL;
		old->done(ui, old->ctx, NULL);
		prompt_free(old);
	}
	ui->prompt = p;
	ui->dirty = true;
}

bool ui_prompt_pending(const struct ui *ui)
{
	return ui->prompt != NULL;
}

static char *common_prefix(GPtrArray *words)
{
	if (!words->len)
		return g_strdup("");
	const char *first = g_ptr_array_index(words, 0);
	size_t n = strlen(first);
	for (guint i = 1; i < words->len; i++) {
		const char *w = g_ptr_array_index(words, i);
		size_t k = 0;
		while (k < n && w[k] == first[k])
			k++;
		n = k;
	}
	/* Never stop inside a UTF-8 sequence. */
	while (n > 0 && (first[n] & 0xC0) == 0x80)
		n--;
	return g_strndup(first, n);
}

/* Tab: the longest common prefix of the candidates first; when that adds
 * nothing, each Tab shows the next candidate in turn. */
static void tab(struct ui *ui, struct ui_prompt *p)
{
	if (!p->complete)
		return;
	char *text = line_text(p);
	if (p->cands && p->cands->len > 1) {
		set_line(p, g_ptr_array_index(p->cands, p->cand_next));
		p->cand_next = (p->cand_next + 1) % p->cands->len;
		g_free(text);
		return;
	}
	forget_candidates(p);
	GPtrArray *c = p->complete(p->ctx, text);
	if (!c || !c->len) {
		if (c)
			g_ptr_array_unref(c);
		ui_set_status(ui, true, "%s", _("No completion."));
		g_free(text);
		return;
	}
	char *prefix = common_prefix(c);
	if (c->len == 1 || strlen(prefix) <= strlen(text)) {
		/* Nothing common to add: show the choices and step through them. */
		if (c->len == 1) {
			set_line(p, g_ptr_array_index(c, 0));
			g_ptr_array_unref(c);
		} else {
			p->cands = c;
			p->cand_base = g_strdup(text);
			set_line(p, g_ptr_array_index(c, 0));
			p->cand_next = 1 % c->len;
		}
	} else {
		set_line(p, prefix);
		p->cands = c;
		p->cand_base = g_strdup(text);
		p->cand_next = 0;
		/* The next Tab steps through the candidates. */
	}
	g_free(prefix);
	g_free(text);
}

static bool is_word_char(gunichar u)
{
	return g_unichar_isalnum(u) || u == '_' || u == '-' || u == '.';
}

static void finish(struct ui *ui, bool cancelled)
{
	struct ui_prompt *p = ui->prompt;
	char *text = cancelled ? NULL : line_text(p);
	ui->prompt = NULL;
	ui->dirty = true;
	p->done(ui, p->ctx, text);
	g_free(text);
	prompt_free(p);
}

void ui_prompt_key(struct ui *ui, wint_t key, bool fn)
{
	struct ui_prompt *p = ui->prompt;
	GArray *l = p->line;
	bool keep_cands = false;

	if ((fn && key == KEY_ENTER) || (!fn && (key == '\r' || key == '\n'))) {
		finish(ui, false);
		return;
	}
	if (!fn && (key == 27 || key == KEY_CTRL('g'))) {
		finish(ui, true);
		return;
	}
	if (!fn && key == '\t') {
		tab(ui, p);
		keep_cands = true;
	} else if ((fn && key == KEY_LEFT) || (!fn && key == KEY_CTRL('b'))) {
		if (p->cursor > 0)
			p->cursor--;
	} else if ((fn && key == KEY_RIGHT) || (!fn && key == KEY_CTRL('f'))) {
		if (p->cursor < l->len)
			p->cursor++;
	} else if ((fn && key == KEY_HOME) || (!fn && key == KEY_CTRL('a'))) {
		p->cursor = 0;
	} else if ((fn && key == KEY_END) || (!fn && key == KEY_CTRL('e'))) {
		p->cursor = l->len;
	} else if ((fn && key == KEY_BACKSPACE) || (!fn && (key == 127 || key == KEY_CTRL('h')))) {
		if (p->cursor > 0)
			g_array_remove_index(l, --p->cursor);
	} else if ((fn && key == KEY_DC) || (!fn && key == KEY_CTRL('d'))) {
		if (p->cursor < l->len)
			g_array_remove_index(l, p->cursor);
	} else if (!fn && key == KEY_CTRL('u')) {
		g_array_remove_range(l, 0, p->cursor);
		p->cursor = 0;
	} else if (!fn && key == KEY_CTRL('k')) {
		g_array_set_size(l, p->cursor);
	} else if (!fn && key == KEY_CTRL('w')) {
		guint end = p->cursor;
		while (p->cursor > 0 && !is_word_char(g_array_index(l, gunichar, p->cursor - 1)))
			p->cursor--;
		while (p->cursor > 0 && is_word_char(g_array_index(l, gunichar, p->cursor - 1)))
			p->cursor--;
		g_array_remove_range(l, p->cursor, end - p->cursor);
	} else if (!fn && key >= 0x20 && key != 127 && g_unichar_validate((gunichar)key)
		   && !g_unichar_iscntrl((gunichar)key)) {
		gunichar u = (gunichar)key;
		g_array_insert_val(l, p->cursor, u);
		p->cursor++;
	}
	if (!keep_cands)
		forget_candidates(p);
	ui->dirty = true;
}

/* The question and the line in the last row, scrolled so the cursor
 * shows; candidates of a Tab in the row above. */
char *ui_prompt_fit_question(const char *question, int cols)
{
	char *q = core_safe_text(question ? question : "", (size_t)-1, false);
	int max = MAX(cols - UI_PROMPT_MIN_ROOM, 1);
	if (core_text_width(q) <= max)
		return q;
	/* Too long: cut it with an ellipsis, keeping room for the answer. */
	char *cut = core_text_fit(q, max - 1, false);
	char *out = g_strconcat(cut, "…", NULL);
	g_free(cut);
	g_free(q);
	return out;
}

void ui_prompt_draw(struct ui *ui, int row, int cols)
{
	struct ui_prompt *p = ui->prompt;
	char *q = ui_prompt_fit_question(p->question, cols);
	int qw = core_text_width(q);
	int room = MAX(cols - qw - 1, 1);
	/* Widths of the characters, to place the cursor. */
	int before = 0;
	guint start = 0;
	for (guint i = 0; i < p->cursor; i++)
		before += MAX(g_unichar_iswide(g_array_index(p->line, gunichar, i)) ? 2 : 1, 0);
	while (before >= room && start < p->cursor) {
		before -= g_unichar_iswide(g_array_index(p->line, gunichar, start)) ? 2 : 1;
		start++;
	}
	GString *shown = g_string_new(q);
	for (guint i = start; i < p->line->len; i++)
		g_string_append_unichar(shown, g_array_index(p->line, gunichar, i));
	char *safe = core_safe_text(shown->str, shown->len, false);
	ui_draw_text(row, 0, safe, cols, A_NORMAL);
	if (p->cands && p->cands->len > 1 && row > 1) {
		GString *c = g_string_new(NULL);
		for (guint i = 0; i < p->cands->len; i++) {
			const char *w = g_ptr_array_index(p->cands, i);
			const char *base = strrchr(w, '/');
			g_string_append(c, base && base[1] ? base + 1 : w);
			g_string_append(c, "  ");
		}
		char *cs = core_safe_text(c->str, c->len, false);
		ui_draw_text(row - 1, 0, cs, cols, A_REVERSE);
		g_free(cs);
		g_string_free(c, TRUE);
	}
	move(row, MIN(qw + before, cols - 1));
	g_free(safe);
	g_string_free(shown, TRUE);
	g_free(q);
}

void ui_prompt_cancel(struct ui *ui)
{
	if (ui->prompt)
		finish(ui, true);
}

static int str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *ui_complete_words(const char *const *words, guint n, const char *text)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	char *low = g_utf8_casefold(text ? text : "", -1);
	size_t k = strlen(low);
	for (guint i = 0; i < n; i++) {
		char *w = g_utf8_casefold(words[i], -1);
		if (strncmp(w, low, k) == 0)
			g_ptr_array_add(out, g_strdup(words[i]));
		g_free(w);
	}
	g_free(low);
	g_ptr_array_sort(out, str_cmp);
	return out;
}

GPtrArray *ui_complete_path(void *ctx, const char *text)
{
	(void)ctx;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	char *expanded = NULL;
	if (text[0] == '~' && (text[1] == '/' || !text[1]))
		expanded = g_strconcat(g_get_home_dir(), text + 1, NULL);
	else
		expanded = g_strdup(text);
	const char *slash = strrchr(expanded, '/');
	char *dir = slash ? g_strndup(expanded, (size_t)(slash - expanded) + 1) : g_strdup("");
	const char *base = slash ? slash + 1 : expanded;
	DIR *d = opendir(*dir ? dir : ".");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (e->d_name[0] == '.' && base[0] != '.')
				continue;
			if (strncmp(e->d_name, base, strlen(base)) != 0)
				continue;
			char *full = g_strconcat(dir, e->d_name, NULL);
			if (g_file_test(full, G_FILE_TEST_IS_DIR)) {
				char *with = g_strconcat(full, "/", NULL);
				g_free(full);
				full = with;
			}
			g_ptr_array_add(out, full);
		}
		closedir(d);
	}
	g_ptr_array_sort(out, str_cmp);
	g_free(dir);
	g_free(expanded);
	return out;
}
