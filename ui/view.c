/* The live views of the batch commands on a terminal: validate and
 * install-gpcopy show the wizard's own Validation and gpcopy installation
 * screens, fed by the command's work, then the command prints its usual
 * summary on the restored terminal.  (copy: its panes are
 * ui_copy_view_run, in run.c; cmd_copy_live goes here once copy lands.) */
#include "ui.h"
#include "cmd.h"
#include "install.h"
#include "mem.h"
#include "screens.h"
#include "validate.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_MS 150

static double view_now(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Never called: the view's work is started by the command (s.flag is set). */
static bool view_no_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	(void)ctx, (void)p;
	snprintf(err, size, "already started");
	return false;
}

struct view {
	const char *title;
	enum screen_id id;
	bool (*finished)(const struct wizard *w);
	void (*cancel)(void *arg);          /* NULL: the work cannot be interrupted */
	void *arg;
	const char *cannot_cancel;          /* said on q / Ctrl-C when cancel is NULL */
};

static void view_draw(struct canvas *c, struct wizard *w, const struct view *v)
{
	if (!ui_view_head(c, v->title))
		return;
	wizard_screens[v->id].draw(w, c, 1, c->rows - 3);
	canvas_text(c, c->rows - 2, 1, c->cols - 2, w->status_role, w->status);
	canvas_fill(c, c->rows - 1, 0, c->cols, L' ', R_KEY);
	canvas_text(c, c->rows - 1, 1, c->cols - 2, R_KEY,
		    w->overlay == OV_CONFIRM ? "y yes  n no" : v->cancel ? "Up/Down scroll  c cancel" : "Up/Down scroll");
}

/* A wizard showing only screen id, over a backend that reads the command's work. */
static void view_wizard(struct wizard *w, const struct ui_backend *be, const struct plan *p, enum screen_id id)
{
	memset(w, 0, sizeof *w);
	ui_model_init(&w->m, (struct plan *)p, view_now(NULL));
	w->be = be;
	w->cur = id;
	w->s.flag = true;       /* the work is started */
}

/* Show screen v->id over w until v->finished; false when the terminal cannot
 * be used (the caller then watches with plain lines). */
static bool view_run(struct wizard *w, const struct view *v)
{
	struct term t;
	struct canvas c;
	const char *why;
	if (!term_usable(&why) || !term_open(&t, stdout, stdin))
		return false;
	canvas_init(&c, term_rows(&t), term_cols(&t), t.utf8);
	log_set_console(ui_console_level(w->m.plan), true);
	bool asking = false;
	for (;;) {
		if (wizard_screens[v->id].tick)
			wizard_screens[v->id].tick(w);
		if (term_rows(&t) != c.rows || term_cols(&t) != c.cols)
			canvas_resize(&c, term_rows(&t), term_cols(&t));
		w->overlay = asking ? OV_CONFIRM : OV_NONE;
		view_draw(&c, w, v);
		term_blit(&t, &c);
		if (v->finished(w))
			break;
		int key = term_getkey(&t, TICK_MS);
		bool stop = key == 'c' || key == 'q' || key == UI_KEY_INTERRUPT || term_terminated();
		if (asking && (key == 'y' || key == 'Y' || term_terminated())) {
			v->cancel(v->arg);
			asking = false;
			wizard_set_status(w, R_WARN, "Cancelling...");
		} else if (asking && key >= 0) {
			asking = false;
			wizard_set_status(w, R_DIM, "Not cancelled.");
		} else if (stop && v->cancel) {
			asking = true;
			wizard_set_status(w, R_WARN, "Cancel? (y/n)");
		} else if (stop) {
			wizard_set_status(w, R_WARN, "%s", v->cannot_cancel);
		} else if (key >= 0 && wizard_screens[v->id].key) {
			wizard_screens[v->id].key(w, key);
		}
	}
	term_close(&t);
	log_set_console(ui_console_level(w->m.plan), false);
	canvas_done(&c);
	return true;
}

/* validate */
static struct validate_run *live_run;

static void validate_view_poll(void *ctx, struct ui_validation *out)
{
	(void)ctx;
	struct validate_snapshot s;
	validate_poll(live_run, 0);
	validate_snapshot(live_run, &s);
	ui_validation_from_snapshot(&s, out);
	out->finished = s.finished || s.cancelled;
	validate_snapshot_free(&s);
}

static bool validation_finished(const struct wizard *w)
{
	return w->m.validation.finished;
}

static void validate_view_cancel(void *arg)
{
	validate_cancel(arg);
}

static bool watch_validation(const struct plan *p, struct validate_run *run)
{
	struct ui_backend be = { .now = view_now, .validate_start = view_no_start,
				 .validate_poll = validate_view_poll };
	struct wizard w;
	view_wizard(&w, &be, p, SCR_VALIDATION);
	w.m.validation_started = true;
	live_run = run;
	struct view v = { "validate", SCR_VALIDATION, validation_finished, validate_view_cancel, run, NULL };
	bool shown = view_run(&w, &v);
	if (!shown) {   /* no usable terminal after all: wait quietly */
		for (;;) {
			struct validate_snapshot s;
			validate_poll(run, 250);
			validate_snapshot(run, &s);
			bool done = s.finished || s.cancelled;
			validate_snapshot_free(&s);
			if (done)
				break;
		}
	}
	live_run = NULL;
	ui_model_done(&w.m);
	return false;
}

int cmd_validate_live(struct cli *cli)
{
	return cmd_validate_with(cli, watch_validation);
}

/* install-gpcopy: install_run on a thread, its progress mirrored. */
struct install_live {
	pthread_mutex_t mu;
	const struct plan *p;
	const struct install_tarball *t;
	struct install_host *hosts;
	size_t n;
	struct ui_install mirror;
	bool ok;
};

static struct install_live *inst_live;

static void install_live_progress(const struct install_host *h, void *arg)
{
	struct install_live *l = arg;
	size_t i = (size_t)(h - l->hosts);
	pthread_mutex_lock(&l->mu);
	if (i < l->mirror.n)
		ui_host_from_install(h, &l->mirror.hosts[i]);
	pthread_mutex_unlock(&l->mu);
}

static void *install_live_main(void *arg)
{
	struct install_live *l = arg;
	bool ok = install_run(l->p, l->t, l->hosts, l->n, l->p->jobs, install_live_progress, l);
	pthread_mutex_lock(&l->mu);
	l->ok = ok;
	ui_install_free(&l->mirror);
	ui_install_from_hosts(l->hosts, l->n, true, &l->mirror);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void install_view_poll(void *ctx, struct ui_install *out)
{
	(void)ctx;
	pthread_mutex_lock(&inst_live->mu);
	*out = inst_live->mirror;
	out->hosts = xcalloc(out->n + 1, sizeof *out->hosts);
	if (out->n)
		memcpy(out->hosts, inst_live->mirror.hosts, out->n * sizeof *out->hosts);
	pthread_mutex_unlock(&inst_live->mu);
}

static bool install_finished(const struct wizard *w)
{
	return w->m.install.finished;
}

static bool run_install_live(const struct plan *p, const struct install_tarball *t, struct install_host *hosts,
			     size_t n)
{
	struct install_live l = { .p = p, .t = t, .hosts = hosts, .n = n };
	pthread_t th;
	pthread_mutex_init(&l.mu, NULL);
	ui_install_from_hosts(hosts, n, false, &l.mirror);
	inst_live = &l;
	if (pthread_create(&th, NULL, install_live_main, &l) != 0) {
		/* no thread: install here, without the view */
		install_live_main(&l);
	} else {
		struct ui_backend be = { .now = view_now, .install_start = view_no_start,
					 .install_poll = install_view_poll };
		struct wizard w;
		view_wizard(&w, &be, p, SCR_INSTALL);
		w.m.install_started = true;
		struct view v = { "install-gpcopy", SCR_INSTALL, install_finished, NULL, NULL,
				  "The installation runs to its end on each host (uploads are atomic); please wait." };
		view_run(&w, &v);
		pthread_join(th, NULL);
		ui_model_done(&w.m);
	}
	inst_live = NULL;
	ui_install_free(&l.mirror);
	pthread_mutex_destroy(&l.mu);
	return l.ok;
}

int cmd_install_gpcopy_live(struct cli *cli)
{
	return cmd_install_gpcopy_with(cli, run_install_live);
}
