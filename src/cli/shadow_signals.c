/*
 * shadow_signals.c - the command's side of shadow-database cleanup: while a
 * command may hold a shadow database, SIGINT / SIGTERM drop it
 * (dbw_shadow_cleanup_all) before the process dies of the signal, so that
 * Ctrl-C leaves nothing behind on the server. The library installs no
 * handlers; this file is where dbward chooses to. Also the progress bar
 * of the replay in the shadow database.
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

void cli_replay_progress(const dbw_event *ev, void *ctx)
{
	cli_progress *bar = ctx;
	if (ev->kind == DBW_EV_START && ev->index == 0)
		cli_progress_init(bar, bar->cli, ev->total);
	if (ev->kind == DBW_EV_START || ev->kind == DBW_EV_DONE)
		cli_progress_update(bar, ev->kind == DBW_EV_DONE ? ev->index + 1 : ev->index,
		                    ev->migration ? ev->migration->id : "");
}
