/* The wizard's copy step over the COPY engine, or over gpcopy on the master
 * when the operator chose it: one copy per process, as there is one wizard
 * per terminal. */
#include "backend.h"
#include "engine.h"
#include "gpcopy.h"
#include "mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t copy_lock = PTHREAD_MUTEX_INITIALIZER;
static struct engine *copy_engine;
static struct gpcopy_run *copy_gpcopy;

static bool gpcopy_start(const struct plan *p, char *err, size_t size)
{
	if (copy_gpcopy) {
		snprintf(err, size, "a copy is already running");
		return false;
	}
	copy_gpcopy = gpcopy_run_new(p, false);
	if (!gpcopy_run_start(copy_gpcopy)) {
		snprintf(err, size, "gpcopy could not start (exit %d); see the log pane",
			 gpcopy_run_exit_code(copy_gpcopy));
		gpcopy_run_free(copy_gpcopy);
		copy_gpcopy = NULL;
		return false;
	}
	return true;
}

static bool copy_start(void *ctx, const struct plan *p, enum method m, char *err, size_t size)
{
	(void)ctx;
	if (m == METHOD_GPCOPY) {
		pthread_mutex_lock(&copy_lock);
		bool ok = !copy_engine && gpcopy_start(p, err, size);
		if (copy_engine)
			snprintf(err, size, "a copy is already running");
		pthread_mutex_unlock(&copy_lock);
		return ok;
	}
	if (m != METHOD_ENGINE) {
		/* gptransfer and OSS run outside gp2adb (on the cluster); the wizard
		 * prepares them but does not run them. */
		snprintf(err, size, "%s runs outside gp2adb: run it on the cluster as the Method "
			 "screen describes, or go back and choose gp2adb's engine",
			 ui_method_name(m));
		return false;
	}
	pthread_mutex_lock(&copy_lock);
	bool ok = false;
	if (copy_engine || copy_gpcopy) {
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
	else if (copy_gpcopy)
		gpcopy_run_snapshot(copy_gpcopy, out);
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
	else if (copy_gpcopy)
		gpcopy_run_cancel(copy_gpcopy);
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
	if (copy_gpcopy) {
		gpcopy_run_free(copy_gpcopy);     /* a run still going is cancelled */
		copy_gpcopy = NULL;
	}
	pthread_mutex_unlock(&copy_lock);
}

static void copy_retry(void *ctx, char *out, size_t size)
{
	(void)ctx;
	pthread_mutex_lock(&copy_lock);
	if (copy_engine)
		snprintf(out, size, "%s", engine_retry_command(copy_engine));
	else if (copy_gpcopy)
		snprintf(out, size, "%s", gpcopy_run_retry_command(copy_gpcopy));
	else
		out[0] = '\0';
	pthread_mutex_unlock(&copy_lock);
}

static bool preview(void *ctx, const struct plan *p, char *out, size_t size, char *err, size_t errsize)
{
	(void)ctx;
	char *text = NULL;
	if (!gpcopy_preview(p, false, &text, err, errsize))
		return false;
	snprintf(out, size, "%s", text);
	free(text);
	return true;
}

void ui_backend_copy_bind(struct ui_backend *be)
{
	be->copy_start = copy_start;
	be->copy_snapshot = copy_snapshot;
	be->copy_pause = copy_pause;
	be->copy_cancel = copy_cancel;
	be->copy_retry = copy_retry;
	be->gpcopy_preview = preview;
}
