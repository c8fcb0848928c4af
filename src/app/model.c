/* model.c - folders and message summaries shared by backends and the UI. */
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

void app_msg_free(void *p)
{
	struct app_msg *m = p;
	if (!m)
		return;
	g_free(m->key);
	g_free(m->path);
	g_free(m->from);
	g_free(m->subject);
	g_free(m->message_id);
	g_free(m->in_reply_to);
	g_free(m->references);
	g_free(m->tags);
	g_free(m->from_addr);
	g_free(m);
}
