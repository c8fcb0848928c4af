/* header.c - header values for the index: decoded and made safe. */
#include <gmime/gmime.h>

#include "core/core.h"
#include "mime/mime.h"

char *mime_header_decode(const char *raw)
{
	if (!raw || !*raw)
		return g_strdup("");
	mime_init();
	char *unfolded = g_mime_utils_header_unfold(raw);
	char *decoded = g_mime_utils_header_decode_text(NULL, unfolded);
	char *safe = core_safe_text(decoded ? decoded : unfolded, (size_t)-1, false);
	g_free(decoded);
	g_free(unfolded);
	return safe;
}

time_t mime_parse_date(const char *raw)
{
	if (!raw || !*raw)
		return 0;
	mime_init();
	GDateTime *dt = g_mime_utils_header_decode_date(raw);
	if (!dt)
		return 0;
	time_t t = (time_t)g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

char *mime_param_decode(const char *params, const char *name)
{
	if (!params || !name)
		return NULL;
	mime_init();
	GMimeParamList *list = g_mime_param_list_parse(NULL, params);
	if (!list)
		return NULL;
	GMimeParam *p = g_mime_param_list_get_parameter(list, name);
	const char *v = p ? g_mime_param_get_value(p) : NULL;
	char *out = v ? g_utf8_make_valid(v, -1) : NULL;
	g_object_unref(list);
	return out;
}
