/* attach.c - attachment parts: type guessing, base64, RFC 2231 names.
 *
 * GIO's g_content_type_guess would pull in a dependency for what a
 * small table does: magic bytes first (they do not lie about the
 * format), then the extension, then "text or binary". */
#include "mime/mime_private.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *magic;
	size_t len;
	const char *type;
} magics[] = {
    {"%PDF-", 5, "application/pdf"},
    {"\x89PNG\r\n\x1a\n", 8, "image/png"},
    {"\xff\xd8\xff", 3, "image/jpeg"},
    {"GIF87a", 6, "image/gif"},
    {"GIF89a", 6, "image/gif"},
    {"PK\x03\x04", 4, "application/zip"},
    {"\x1f\x8b", 2, "application/gzip"},
    {"BZh", 3, "application/x-bzip2"},
    {"\xfd\x37\x7a\x58\x5a\x00", 6, "application/x-xz"},
    {"7z\xbc\xaf\x27\x1c", 6, "application/x-7z-compressed"},
    {"OggS", 4, "audio/ogg"},
    {"ID3", 3, "audio/mpeg"},
    {"-----BEGIN PGP", 14, "application/pgp-keys"},
};

static const struct {
	const char *ext;
	const char *type;
} exts[] = {
    {"txt", "text/plain"},
    {"text", "text/plain"},
    {"md", "text/markdown"},
    {"csv", "text/csv"},
    {"html", "text/html"},
    {"htm", "text/html"},
    {"css", "text/css"},
    {"ics", "text/calendar"},
    {"vcf", "text/vcard"},
    {"xml", "application/xml"},
    {"json", "application/json"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"svg", "image/svg+xml"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tar", "application/x-tar"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"doc", "application/msword"},
    {"xls", "application/vnd.ms-excel"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"mp4", "video/mp4"},
    {"eml", "message/rfc822"},
    {"patch", "text/x-diff"},
    {"diff", "text/x-diff"},
    {"c", "text/x-c"},
    {"h", "text/x-c"},
    {"py", "text/x-python"},
    {"sh", "application/x-sh"},
    {"asc", "application/pgp-signature"},
};

const char *mime_guess_type(const char *name, const void *data, size_t len)
{
	const char *dot = name ? strrchr(name, '.') : NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(magics); i++)
		if (len >= magics[i].len && memcmp(data, magics[i].magic, magics[i].len) == 0) {
			/* Office files are zips: the extension says which. */
			if (strcmp(magics[i].type, "application/zip") != 0 || !dot)
				return magics[i].type;
			break;
		}
	if (dot && dot[1] && !strchr(dot, '/'))
		for (size_t i = 0; i < G_N_ELEMENTS(exts); i++)
			if (g_ascii_strcasecmp(dot + 1, exts[i].ext) == 0)
				return exts[i].type;
	if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
		return "application/zip";
	if (!memchr(data, '\0', len) && g_utf8_validate(data, (gssize)len, NULL))
		return "text/plain";
	return "application/octet-stream";
}

static GMimeObject *message_part(const char *name, const char *data, size_t len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	GMimeMessagePart *part;

	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg)
		return NULL;
	part = g_mime_message_part_new_with_message("rfc822", msg);
	g_object_unref(msg);
	g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_INLINE);
	g_mime_object_set_content_disposition_parameter(GMIME_OBJECT(part), "filename", name);
	return GMIME_OBJECT(part);
}

GMimeObject *mime_attachment_part(const char *path, struct mime_error *err)
{
	GError *gerr = NULL;
	char *data = NULL;
	gsize len = 0;
	char *base;
	const char *type;
	char **mt;
	GMimePart *part;
	GMimeStream *stream;
	GMimeDataWrapper *wrapper;

	if (!g_file_get_contents(path, &data, &len, &gerr)) {
		mime_fail(err, MIME_ERR_ATTACHMENT, 0, "%s: %s", path, gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	base = g_path_get_basename(path);
	type = mime_guess_type(base, data, len);
	/* A forwarded message: RFC 2046 allows message/rfc822 only in 7bit or
	 * 8bit, so it goes as a message part, not base64. */
	if (strcmp(type, "message/rfc822") == 0) {
		GMimeObject *mp = message_part(base, data, len);

		if (mp) {
			g_free(base);
			g_free(data);
			return mp;
		}
		type = "application/octet-stream";
	}
	mt = g_strsplit(type, "/", 2);
	part = g_mime_part_new_with_type(mt[0], mt[1]);
	g_strfreev(mt);
	if (g_str_has_prefix(type, "text/") && g_utf8_validate(data, (gssize)len, NULL))
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
	/* Sets filename= on Content-Disposition and name= on Content-Type;
	 * non-ASCII names go out RFC 2231 encoded (GMime's default). */
	g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_ATTACHMENT);
	g_mime_part_set_filename(part, base);

	stream = g_mime_stream_mem_new_with_buffer(data, len);
	wrapper = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, wrapper);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	g_object_unref(wrapper);
	g_object_unref(stream);
	g_free(base);
	g_free(data);
	return GMIME_OBJECT(part);
}
