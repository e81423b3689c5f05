/* The wizard's copy step over the COPY engine: one engine per process, as
 * there is one wizard per terminal. */
#include "backend.h"
#include "engine.h"
#include "mem.h"

#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t copy_lock = PTHREAD_MUTEX_INITIALIZER;
static struct engine *copy_engine;

static bool copy_start(void *ctx, const struct plan *p, enum method m, char *err, size_t size)
{
	(void)ctx;
	if (m != METHOD_ENGINE) {
		/* gpcopy, gptransfer and OSS run outside gp2adb (installed on and run
		 * from the cluster); the wizard prepares them but does not run them. */
		snprintf(err, size, "%s runs outside gp2adb: run it on the cluster as the Method "
			 "screen describes, or go back and choose gp2adb's engine",
			 ui_method_name(m));
		return false;
	}
	pthread_mutex_lock(&copy_lock);
	bool ok = false;
	if (copy_engine) {
		snprintf(err, size, "a copy is already running");
	} else {
		struct engine_options opt = { .resume = true, .only_failed = false };
		copy_engine = engine_new(p, &opt);
		ok = engine_start(copy_engine);
		if (!ok) {
			snprintf(err, size, "the copy could not start (exit %d); see the log pane",
				 engine_exit_code(copy_engine));
			engine_free(copy_engine);
			copy_engine = NULL;
		}
	}
	pthread_mutex_unlock(&copy_lock);
	return ok;
}

static void copy_snapshot(void *ctx, struct engine_snapshot *out)
{
	(void)ctx;
	pthread_mutex_lock(&copy_lock);
	if (copy_engine)
		engine_snapshot(copy_engine, out);
	pthread_mutex_unlock(&copy_lock);
}

static void copy_pause(void *ctx, bool paused)
{
	(void)ctx;
	pthread_mutex_lock(&copy_lock);
	if (copy_engine)
		engine_pause(copy_engine, paused);
	pthread_mutex_unlock(&copy_lock);
}

static void copy_cancel(void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&copy_lock);
	if (copy_engine)
		engine_cancel(copy_engine);
	pthread_mutex_unlock(&copy_lock);
}

void ui_backend_copy_done(void)
{
	pthread_mutex_lock(&copy_lock);
	if (copy_engine) {
		/* only a copy still running is cancelled (and says so) */
		struct engine_snapshot snap;
		engine_snapshot(copy_engine, &snap);
		if (!snap.finished)
			engine_cancel(copy_engine);
		engine_snapshot_free(&snap);
		engine_wait(copy_engine);
		engine_free(copy_engine);
		copy_engine = NULL;
	}
	pthread_mutex_unlock(&copy_lock);
}

void ui_backend_copy_bind(struct ui_backend *be)
{
	be->copy_start = copy_start;
	be->copy_snapshot = copy_snapshot;
	be->copy_pause = copy_pause;
	be->copy_cancel = copy_cancel;
}
