/* ui.h - the ncurses front end.  Owns the terminal; runs on the UI thread
 * inside app_loop_run(), talking only to src/app. */
#ifndef MAILTUI_UI_H
#define MAILTUI_UI_H

struct config;
struct app;

/* Open the screen, run until the user quits, restore the terminal.
 * account: name to open first, or NULL.  cfg and app are borrowed.
 * Returns the process exit status. */
int ui_run(struct config *cfg, struct app *app, const char *account);

/* Open this folder of the start account at once (-f), above its folder
 * list.  Call before ui_run; folder is borrowed. */
void ui_set_start_folder(const char *folder);

#endif
