/* cmd_send.c - replaced by the issue that implements "mailtui send". */
#include <stdio.h>
#include "commands.h"
#include "core/i18n.h"

int cmd_send(struct config *cfg, int argc, char **argv)
{
	(void)cfg; (void)argc; (void)argv;
	fprintf(stderr, "%s\n", _("this command is not available in this build"));
	return 2;
}
