/* thread.c - client-side threading by References and In-Reply-To. */
#include <string.h>

#include <glib.h>

#include "app/app.h"

/* The last Message-ID of a References or In-Reply-To value, borrowed into
 * buf; NULL when there is none. */
static const char *last_msgid(const char *refs, char *buf, size_t size)
{
	if (!refs)
		return NULL;
	const char *end = strrchr(refs, '>');
	if (!end)
		return NULL;
	const char *start = end;
	while (start > refs && *start != '<')
		start--;
	if (*start != '<' || (size_t)(end - start + 2) > size)
		return NULL;
	memcpy(buf, start, (size_t)(end - start + 1));
	buf[end - start + 1] = '\0';
	return buf;
}

struct node {
	int parent;      /* index or -1 */
	int first, count; /* children: kids[first .. first + count), sorted by date */
};

static int by_date(gconstpointer a, gconstpointer b, gpointer msgs)
{
	const struct app_msg *ma = g_ptr_array_index((GPtrArray *)msgs, *(const int *)a);
	const struct app_msg *mb = g_ptr_array_index((GPtrArray *)msgs, *(const int *)b);
	if (ma->date != mb->date)
		return ma->date < mb->date ? -1 : 1;
	return ma->uid < mb->uid ? -1 : ma->uid > mb->uid;
}

static bool is_ancestor(struct node *nodes, int maybe_ancestor, int of)
{
	for (int p = of; p >= 0; p = nodes[p].parent)
		if (p == maybe_ancestor)
			return true;
	return false;
}

struct walk {
	struct node *nodes;
	const int *kids;
	unsigned *order;
	int *depth;
	bool *last_child;
	unsigned row;
};

static void emit(struct walk *w, int idx, int level, bool last)
{
	/* Iterative would avoid deep recursion; threads deeper than a few
	 * thousand replies do not occur, and depth is capped for drawing. */
	w->order[w->row] = (unsigned)idx;
	w->depth[w->row] = level;
	w->last_child[w->row] = last;
	w->row++;
	const struct node *nd = &w->nodes[idx];
	for (int i = 0; i < nd->count; i++)
		emit(w, w->kids[nd->first + i], level < 1000 ? level + 1 : level, i + 1 == nd->count);
}

void app_thread_order(GPtrArray *msgs, unsigned *order, int *depth, bool *last_child)
{
	guint n = msgs->len;
	struct node *nodes = g_new0(struct node, n);
	GHashTable *by_id = g_hash_table_new(g_str_hash, g_str_equal);
	char buf[1024];

	for (guint i = 0; i < n; i++) {
		const struct app_msg *m = g_ptr_array_index(msgs, i);
		nodes[i].parent = -1;
		if (m->message_id && !g_hash_table_contains(by_id, m->message_id))
			g_hash_table_insert(by_id, m->message_id, GINT_TO_POINTER(i + 1));
	}
	for (guint i = 0; i < n; i++) {
		const struct app_msg *m = g_ptr_array_index(msgs, i);
		const char *pid = last_msgid(m->references, buf, sizeof buf);
		int p = pid ? GPOINTER_TO_INT(g_hash_table_lookup(by_id, pid)) - 1 : -1;
		if (p < 0) {
			pid = last_msgid(m->in_reply_to, buf, sizeof buf);
			p = pid ? GPOINTER_TO_INT(g_hash_table_lookup(by_id, pid)) - 1 : -1;
		}
		if (p >= 0 && !is_ancestor(nodes, (int)i, p))
			nodes[i].parent = p;
	}
	/* Children of all nodes in one array (counted, then placed), not an
	 * array per parent: 100,000 rows would make tens of thousands of
	 * small allocations at every re-sort. */
	GArray *roots = g_array_new(FALSE, FALSE, sizeof(int));
	int *kids = g_new(int, n ? n : 1);
	for (guint i = 0; i < n; i++)
		if (nodes[i].parent >= 0)
			nodes[nodes[i].parent].count++;
	int off = 0;
	for (guint i = 0; i < n; i++) {
		nodes[i].first = off;
		off += nodes[i].count;
		nodes[i].count = 0;
	}
	for (guint i = 0; i < n; i++) {
		int p = nodes[i].parent;
		int idx = (int)i;
		if (p < 0)
			g_array_append_val(roots, idx);
		else
			kids[nodes[p].first + nodes[p].count++] = idx;
	}
	g_array_sort_with_data(roots, by_date, msgs);
	for (guint i = 0; i < n; i++)
		if (nodes[i].count > 1)
			g_qsort_with_data(kids + nodes[i].first, nodes[i].count, sizeof(int), by_date, msgs);

	struct walk w = { nodes, kids, order, depth, last_child, 0 };
	for (guint i = 0; i < roots->len; i++)
		emit(&w, g_array_index(roots, int, i), 0, true);

	g_free(kids);
	g_array_free(roots, TRUE);
	g_hash_table_destroy(by_id);
	g_free(nodes);
}

unsigned app_thread_fold(const unsigned *thread, unsigned n,
	bool (*collapsed)(unsigned thread, void *ctx), void *ctx, struct app_fold_row *out,
	unsigned *map)
{
	unsigned shown = 0;
	unsigned r = 0;
	while (r < n) {
		unsigned end = r + 1;
		while (end < n && thread[end] == thread[r])
			end++;
		/* Asked only for threads with replies: the callback may be a
		 * lookup per thread, and most threads are single messages. */
		bool fold = end - r > 1 && collapsed(thread[r], ctx);
		for (unsigned i = r; i < end; i++) {
			if (i == r || !fold) {
				out[shown].row = i;
				out[shown].hidden = 0;
				shown++;
			} else {
				out[shown - 1].hidden++;
			}
			if (map)
				map[i] = shown - 1;
		}
		r = end;
	}
	return shown;
}
