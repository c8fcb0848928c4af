/* model.c - folders and message summaries shared by backends and the UI. */
#include <string.h>

#include <glib.h>

#include "app/app.h"

struct app_folder *app_folder_new(void)
{
	struct app_folder *f = g_new0(struct app_folder, 1);
	f->total = f->unread = -1;
	f->selectable = true;
	return f;
}

void app_folder_free(void *p)
{
	struct app_folder *f = p;
	if (!f)
		return;
	g_free(f->id);
	g_free(f->display);
	g_free(f);
}

struct app_msg *app_msg_new(void)
{
	return g_new0(struct app_msg, 1);
}

struct app_msg *app_msg_new_packed(const char *from, const char *subject, const char *message_id,
	const char *in_reply_to, const char *references, const char *from_addr)
{
	const char *src[] = { from, subject, message_id, references, from_addr };
	size_t len[G_N_ELEMENTS(src)], total = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(src); i++) {
		len[i] = src[i] ? strlen(src[i]) + 1 : 0;
		total += len[i];
	}
	bool share = in_reply_to && references && strcmp(in_reply_to, references) == 0;
	size_t irt = in_reply_to && !share ? strlen(in_reply_to) + 1 : 0;
	total += irt;
	g_assert(total <= UINT32_MAX);
	struct app_msg *m = g_malloc0(sizeof *m + total);
	char *p = (char *)(m + 1);
	char **dst[] = { &m->from, &m->subject, &m->message_id, &m->references, &m->from_addr };
	for (size_t i = 0; i < G_N_ELEMENTS(src); i++) {
		if (!src[i])
			continue;
		*dst[i] = memcpy(p, src[i], len[i]);
		p += len[i];
	}
	if (irt)
		m->in_reply_to = memcpy(p, in_reply_to, irt);
	else if (share)
		m->in_reply_to = m->references;
	m->packed = (uint32_t)total;
	return m;
}

/* Free s unless it lives in m's own block. */
static void free_field(const struct app_msg *m, char *s)
{
	const char *lo = (const char *)(m + 1);
	if (s && (s < lo || s >= lo + m->packed))
		g_free(s);
}

void app_msg_free(void *p)
{
	struct app_msg *m = p;
	if (!m)
		return;
	free_field(m, m->key);
	free_field(m, m->path);
	free_field(m, m->from);
	free_field(m, m->subject);
	free_field(m, m->message_id);
	free_field(m, m->in_reply_to);
	free_field(m, m->references);
	free_field(m, m->tags);
	free_field(m, m->from_addr);
	g_free(m);
}
