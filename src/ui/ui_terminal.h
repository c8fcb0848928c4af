/* ui_terminal.h - terminal restore on exit and on crash signals. */
#ifndef MAILTUI_UI_TERMINAL_H
#define MAILTUI_UI_TERMINAL_H

/* After initscr(): crash signals restore the terminal before dying. */
void ui_terminal_guard(void);
/* endwin() once; safe to call again. */
void ui_terminal_release(void);

#endif
