/* errors.c - filling struct net_error.  Detail text is raw (errno or
 * GnuTLS words): the layers above translate the status, not this. */
#include <stdio.h>
#include <string.h>

#include "net/net_private.h"

enum net_status net_fail(struct net_error *err, enum net_status st, const char *fmt, ...)
{
	if (!err)
		return st;
	err->status = st;
	err->has_cert = false;
	err->detail[0] = '\0';
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->detail, sizeof err->detail, fmt, ap);
		va_end(ap);
	}
	return st;
}

enum net_status net_fail_errno(struct net_error *err, enum net_status st, const char *what,
                               int errnum)
{
	char buf[128];
	/* GNU strerror_r may return a static string instead of filling buf. */
	const char *s = strerror_r(errnum, buf, sizeof buf);
	return net_fail(err, st, "%s: %s", what, s);
}
