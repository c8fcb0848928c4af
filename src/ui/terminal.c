/* terminal.c - put the terminal back however mailtui ends: normal exit,
 * Ctrl-C (through the event loop) or a crash signal (here). */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "ui/ui_terminal.h"

static volatile sig_atomic_t screen_active;

static void restore_on_crash(int signo)
{
	/* endwin() is not async-signal-safe, but the process is dying and a
	 * terminal left in raw mode is worse; the handler is one-shot. */
	if (screen_active) {
		screen_active = 0;
		endwin();
	}
	static const char msg[] = "mailtui: crashed; terminal restored\n";
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	signal(signo, SIG_DFL);
	raise(signo);
}

void ui_terminal_guard(void)
{
	static const int crash[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = restore_on_crash;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
		sigaction(crash[i], &sa, NULL);
	screen_active = 1;
}

void ui_terminal_release(void)
{
	if (screen_active) {
		screen_active = 0;
		endwin();
	}
}
