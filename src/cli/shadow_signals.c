/*
 * shadow_signals.c - the command's side of shadow-database cleanup: while a
 * command may hold a shadow database, SIGINT / SIGTERM drop it
 * (dbw_shadow_cleanup_all) before the process dies of the signal, so that
 * Ctrl-C leaves nothing behind on the server. The library installs no
 * handlers; this file is where dbward chooses to.
 */
#include <signal.h>
#include <string.h>

#include "cli.h"

static void on_signal(int sig)
{
	dbw_shadow_cleanup_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void cli_shadow_guard(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
