/* i18n.h - the one place _() and N_() come from. */
#ifndef MAILTUI_CORE_I18N_H
#define MAILTUI_CORE_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
