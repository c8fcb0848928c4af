/* decode_mailbox.c - typed views of LIST/LSUB, STATUS, SEARCH/ESEARCH
 * and VANISHED responses. */
#include "imap/imap_private.h"

#include <string.h>

const char *imap_decode_mailbox(struct imap_response *r, const char *raw, bool utf8)
{
	if (!raw)
		return NULL;
	if (g_ascii_strcasecmp(raw, "INBOX") == 0)
		return "INBOX";
	if (utf8)
		return g_utf8_validate(raw, -1, NULL) ? raw : NULL;
	char *d = imap_utf7_decode(raw);
	if (!d)
		return NULL;
	const char *out = imap_arena_strndup(r->arena_, d, strlen(d));
	g_free(d);
	return out;
}

/* astring where a mailbox is expected: NIL as an atom means "NIL". */
static const char *mailbox_arg(const struct imap_value *v)
{
	if (v->type == IMAP_VALUE_NIL)
		return "NIL";
	return imap_value_str(v);
}

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{"\\Noselect", IMAP_MBX_NOSELECT},
	{"\\NoInferiors", IMAP_MBX_NOINFERIORS},
	{"\\HasChildren", IMAP_MBX_HASCHILDREN},
	{"\\HasNoChildren", IMAP_MBX_HASNOCHILDREN},
	{"\\Marked", IMAP_MBX_MARKED},
	{"\\Unmarked", IMAP_MBX_UNMARKED},
	{"\\NonExistent", IMAP_MBX_NONEXISTENT | IMAP_MBX_NOSELECT},
	{"\\Subscribed", IMAP_MBX_SUBSCRIBED},
	{"\\Remote", IMAP_MBX_REMOTE},
	{"\\All", IMAP_MBX_ALL},
	{"\\Archive", IMAP_MBX_ARCHIVE},
	{"\\Drafts", IMAP_MBX_DRAFTS},
	{"\\Flagged", IMAP_MBX_FLAGGED},
	{"\\Junk", IMAP_MBX_JUNK},
	{"\\Sent", IMAP_MBX_SENT},
	{"\\Trash", IMAP_MBX_TRASH},
};

bool imap_list_decode(struct imap_response *r, bool utf8, struct imap_list *out)
{
	memset(out, 0, sizeof *out);
	if (r->kind != IMAP_RESP_UNTAGGED || r->has_number ||
		(strcmp(r->name, "LIST") != 0 && strcmp(r->name, "LSUB") != 0) || r->nargs < 3 ||
		r->args[0].type != IMAP_VALUE_LIST)
		return false;
	const struct imap_value *attrs = &r->args[0];
	for (size_t i = 0; i < attrs->n; i++) {
		if (attrs->items[i].type != IMAP_VALUE_ATOM)
			return false;
		for (size_t k = 0; k < G_N_ELEMENTS(attr_names); k++)
			if (imap_value_is(&attrs->items[i], attr_names[k].name))
				out->attrs |= attr_names[k].bit;
	}
	const struct imap_value *d = &r->args[1];
	if (d->type == IMAP_VALUE_STRING && d->len == 1)
		out->delim = d->str[0];
	else if (d->type != IMAP_VALUE_NIL)
		return false;
	if (r->args[2].type == IMAP_VALUE_LIST || !(out->raw_name = mailbox_arg(&r->args[2])))
		return false;
	out->name = imap_decode_mailbox(r, out->raw_name, utf8);
	return true;
}

bool imap_status_decode(struct imap_response *r, bool utf8, struct imap_mbox_status *out)
{
	memset(out, 0, sizeof *out);
	if (r->kind != IMAP_RESP_UNTAGGED || r->has_number || strcmp(r->name, "STATUS") != 0 ||
		r->nargs != 2 || r->args[1].type != IMAP_VALUE_LIST || r->args[1].n % 2 ||
		r->args[0].type == IMAP_VALUE_LIST)
		return false;
	out->raw_name = mailbox_arg(&r->args[0]);
	out->name = imap_decode_mailbox(r, out->raw_name, utf8);
	const struct imap_value *it = r->args[1].items;
	for (size_t i = 0; i < r->args[1].n; i += 2) {
		uint64_t v;
		if (!imap_value_u64(&it[i + 1], &v))
			return false;
		uint32_t v32 = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		if (imap_value_is(&it[i], "MESSAGES")) {
			out->messages = v32;
			out->have |= IMAP_STATUS_MESSAGES;
		} else if (imap_value_is(&it[i], "RECENT")) {
			out->recent = v32;
			out->have |= IMAP_STATUS_RECENT;
		} else if (imap_value_is(&it[i], "UIDNEXT")) {
			out->uidnext = v32;
			out->have |= IMAP_STATUS_UIDNEXT;
		} else if (imap_value_is(&it[i], "UIDVALIDITY")) {
			out->uidvalidity = v32;
			out->have |= IMAP_STATUS_UIDVALIDITY;
		} else if (imap_value_is(&it[i], "UNSEEN")) {
			out->unseen = v32;
			out->have |= IMAP_STATUS_UNSEEN;
		} else if (imap_value_is(&it[i], "HIGHESTMODSEQ")) {
			out->highestmodseq = v;
			out->have |= IMAP_STATUS_HIGHESTMODSEQ;
		}
	}
	return true;
}

static bool decode_esearch(struct imap_response *r, struct imap_search *out)
{
	out->esearch = true;
	size_t i = 0;
	const struct imap_value *a = r->args;
	if (i < r->nargs && a[i].type == IMAP_VALUE_LIST) {
		/* (TAG "a1") */
		if (a[i].n != 2 || !imap_value_is(&a[i].items[0], "TAG") ||
			!(out->tag = imap_value_str(&a[i].items[1])))
			return false;
		i++;
	}
	if (i < r->nargs && imap_value_is(&a[i], "UID")) {
		out->uid = true;
		i++;
	}
	for (; i < r->nargs; i += 2) {
		if (i + 1 >= r->nargs || a[i].type != IMAP_VALUE_ATOM)
			return false;
		const struct imap_value *v = &a[i + 1];
		if (imap_value_is(&a[i], "MIN")) {
			if (!imap_value_u32(v, &out->min))
				return false;
			out->has_min = true;
		} else if (imap_value_is(&a[i], "MAX")) {
			if (!imap_value_u32(v, &out->max))
				return false;
			out->has_max = true;
		} else if (imap_value_is(&a[i], "COUNT")) {
			if (!imap_value_u32(v, &out->count))
				return false;
			out->has_count = true;
		} else if (imap_value_is(&a[i], "ALL")) {
			if (v->type != IMAP_VALUE_ATOM)
				return false;
			out->all = v->str;
		} else if (imap_value_is(&a[i], "MODSEQ")) {
			if (!imap_value_u64(v, &out->modseq))
				return false;
		}
	}
	return true;
}

bool imap_search_decode(struct imap_response *r, struct imap_search *out)
{
	memset(out, 0, sizeof *out);
	if (r->kind != IMAP_RESP_UNTAGGED || r->has_number)
		return false;
	if (strcmp(r->name, "ESEARCH") == 0)
		return decode_esearch(r, out);
	if (strcmp(r->name, "SEARCH") != 0)
		return false;
	uint32_t *nums = IMAP_RNEW(r, uint32_t, r->nargs + 1);
	size_t n = 0;
	for (size_t i = 0; i < r->nargs; i++) {
		const struct imap_value *v = &r->args[i];
		if (v->type == IMAP_VALUE_LIST) {
			/* (MODSEQ n) at the end (CONDSTORE) */
			if (i + 1 != r->nargs || v->n != 2 || !imap_value_is(&v->items[0], "MODSEQ") ||
				!imap_value_u64(&v->items[1], &out->modseq))
				return false;
			continue;
		}
		if (!imap_value_u32(v, &nums[n++]))
			return false;
	}
	out->nums = nums;
	out->n_nums = n;
	return true;
}

bool imap_vanished_decode(const struct imap_response *r, bool *earlier, const char **set)
{
	*earlier = false;
	*set = NULL;
	if (r->kind != IMAP_RESP_UNTAGGED || r->has_number || strcmp(r->name, "VANISHED") != 0)
		return false;
	size_t i = 0;
	if (r->nargs == 2 && r->args[0].type == IMAP_VALUE_LIST) {
		if (r->args[0].n != 1 || !imap_value_is(&r->args[0].items[0], "EARLIER"))
			return false;
		*earlier = true;
		i = 1;
	}
	if (i + 1 != r->nargs || r->args[i].type != IMAP_VALUE_ATOM)
		return false;
	*set = r->args[i].str;
	return true;
}
