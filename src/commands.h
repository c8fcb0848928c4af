/* commands.h - subcommands of the mailtui binary (the front end's edge:
 * they print translated text; the layers below never print). */
#ifndef MAILTUI_COMMANDS_H
#define MAILTUI_COMMANDS_H

struct config;

/* Each returns the process exit status.  argv[0] is the subcommand name. */
int cmd_check_config(struct config *cfg, int argc, char **argv);
int cmd_fetch(struct config *cfg, int argc, char **argv);  /* mailtui fetch [ACCOUNT...] */
int cmd_send(struct config *cfg, int argc, char **argv);   /* mailtui send [-a ACCOUNT] [--flush] [FILE|-] */

#endif
