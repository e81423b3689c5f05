/* Screen 6: gpcopy installation (the tarball the operator names, checked,
 * then each host as it is installed), and the Review's gpcopy lines (8). */
#include "screens.h"
#include "fmt.h"

#include <stdio.h>
#include <string.h>

static void check_tarball(struct wizard *w, const char *path)
{
	char err[400];
	struct ui_tarball tb;
	memset(&tb, 0, sizeof tb);
	if (!*path) {
		memset(&w->m.tarball, 0, sizeof w->m.tarball);
		wizard_set_status(w, R_WARN, "Type the path of the gpcopy tarball you downloaded (e).");
		return;
	}
	if (w->be->tarball_check(w->be->ctx, path, &tb, err, sizeof err)) {
		w->m.tarball = tb;
		wizard_set_status(w, R_OK, "The tarball holds gpcopy and gpcopy_helper; s installs them.");
	} else {
		memset(&w->m.tarball, 0, sizeof w->m.tarball);
		snprintf(w->m.tarball.path, sizeof w->m.tarball.path, "%s", path);
		wizard_set_status(w, R_FAIL, "%s", err);
	}
}

enum nav install_enter(struct wizard *w, char *reason, size_t size)
{
	if (w->m.method != METHOD_GPCOPY) {
		snprintf(reason, size, "the method is %s; gpcopy is not needed",
			 ui_method_name(w->m.method));
		return NAV_SKIP;
	}
	if (!w->be->install_start) {
		wizard_unavailable(w, SCR_INSTALL, "gpcopy installation (gp2adb install-gpcopy)");
		return NAV_OK;
	}
	if (w->be->tarball_check && !w->m.tarball.checked && !w->m.install_started) {
		char path[512];
		snprintf(path, sizeof path, "%s", w->m.tarball.path);
		if (!*path && w->be->tarball_default)
			w->be->tarball_default(w->be->ctx, path, sizeof path);
		if (*path)
			check_tarball(w, path);
		else
			wizard_set_status(w, R_WARN, "No gpcopy*.tar.gz here or in your home directory: type its path (e).");
	}
	return NAV_OK;
}

void install_tick(struct wizard *w)
{
	if (!w->s.flag || !w->be->install_poll || w->m.install.finished)
		return;
	ui_install_free(&w->m.install);
	w->be->install_poll(w->be->ctx, &w->m.install);
}

/* The tarball's two lines; the rows used. */
static int draw_tarball(struct wizard *w, struct canvas *c, int y)
{
	const struct ui_tarball *tb = &w->m.tarball;
	char val[600];
	canvas_text(c, y, 2, 9, R_DIM, "tarball");
	if (w->s.editing)
		snprintf(val, sizeof val, "%s_", w->s.input);
	else
		snprintf(val, sizeof val, "%s", *tb->path ? tb->path : "(e to type its path)");
	canvas_name(c, y, 11, c->cols - 13, w->s.editing ? R_SEL : tb->checked ? R_NORMAL : R_WARN, val);
	if (tb->checked) {
		canvas_printf(c, y + 1, 11, c->cols - 13, R_OK, "gpcopy %s, holding %s",
			      *tb->version ? tb->version : "(no version in the file name)", tb->gpcopy);
		canvas_printf(c, y + 2, 11, c->cols - 13, R_OK, "%*s%s", 11 + (int)strlen(tb->version), "", tb->helper);
		return 4;
	} else {
		canvas_text(c, y + 1, 11, c->cols - 13, R_DIM,
			    w->s.editing ? "Enter checks it, Esc keeps the one before"
					 : "not checked: e types the path of gpcopy-2.x.y.tar.gz, Enter checks it");
	}
	return 3;
}

void install_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!w->be->install_start) {
		draw_unavailable(w, c, top, height, SCR_INSTALL);
		return;
	}
	if (w->be->tarball_check) {
		int used = draw_tarball(w, c, top);
		top += used;
		height -= used;
	}
	const struct ui_install *in = &w->m.install;
	if (!w->s.flag && in->n == 0) {
		canvas_text(c, top + 1, 2, c->cols - 4, R_NORMAL,
			    "gpcopy is installed on the master and every segment host over SSH.  Press s to start.");
		return;
	}
	size_t done = 0, failed = 0;
	for (size_t i = 0; i < in->n; i++) {
		done += in->hosts[i].state == HOST_DONE;
		failed += in->hosts[i].state == HOST_FAILED;
	}
	canvas_printf(c, top, 2, c->cols - 4, failed ? R_FAIL : R_NORMAL, "%zu hosts: %zu done, %zu failed%s",
		      in->n, done, failed, in->finished ? "" : ", installing...");
	canvas_box(c, top + 1, 0, height - 1, c->cols, "Hosts", R_FRAME);
	int rows = height - 3;
	list_clamp(&w->s, (int)in->n, rows);
	for (int r = 0; r < rows && w->s.scroll + r < (int)in->n; r++) {
		const struct ui_host *h = &in->hosts[w->s.scroll + r];
		int y = top + 2 + r;
		enum ui_role role = h->state == HOST_DONE ? R_OK : h->state == HOST_FAILED ? R_FAIL : R_NORMAL;
		canvas_text(c, y, 2, 30, w->s.sel == w->s.scroll + r ? R_SEL : R_NORMAL, h->name);
		canvas_text(c, y, 33, 8, R_DIM, h->role);
		canvas_text(c, y, 42, 11, role, host_state_name(h->state));
		canvas_text(c, y, 54, c->cols - 56, role == R_FAIL ? R_FAIL : R_DIM, h->detail);
	}
}

static bool installing(const struct wizard *w)
{
	return w->s.flag && !w->m.install.finished;
}

bool install_key(struct wizard *w, int key)
{
	if (!w->be->install_start)
		return false;
	if (w->s.editing) {
		bool done;
		if (key == UI_KEY_ESC) {
			w->s.editing = false;
			return true;
		}
		bool used = edit_key(&w->s, key, &done);
		if (done) {
			w->s.editing = false;
			check_tarball(w, w->s.input);
		}
		return used;
	}
	if (key == 'e' && w->be->tarball_check) {
		if (installing(w)) {
			wizard_set_status(w, R_WARN, "The installation is running; wait for it to end.");
			return true;
		}
		w->s.editing = true;
		snprintf(w->s.input, sizeof w->s.input, "%.255s", w->m.tarball.path);
		return true;
	}
	if (key == 's' && !w->s.flag) {
		char err[300];
		if (w->be->tarball_check && !w->m.tarball.checked) {
			wizard_set_status(w, R_FAIL, "Name the gpcopy tarball first: e types its path.");
		} else if (w->be->install_start(w->be->ctx, w->m.plan, err, sizeof err)) {
			w->s.flag = true;
			w->m.install_started = true;
			ui_install_free(&w->m.install);
			wizard_set_status(w, R_DIM, "Installing gpcopy...");
		} else {
			wizard_set_status(w, R_FAIL, "%s", err);
		}
		return true;
	}
	return list_key(&w->s, key, (int)w->m.install.n, 10);
}

bool install_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->be->install_start)
		return true;
	const struct ui_install *in = &w->m.install;
	if (w->be->tarball_check && !w->m.tarball.checked && !w->m.install_started) {
		snprintf(err, size, "Name the gpcopy tarball first (e), then install it (s).");
		return false;
	}
	if (!in->finished) {
		snprintf(err, size, in->n ? "The installation is still running." : "Start the installation first: press s.");
		return false;
	}
	for (size_t i = 0; i < in->n; i++)
		if (in->hosts[i].state != HOST_DONE) {
			snprintf(err, size, "gpcopy is not installed on %s: %s", in->hosts[i].name, in->hosts[i].detail);
			return false;
		}
	return true;
}

/* 8. Review: the command gpcopy will run, prepared on arrival. */
enum nav review_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	w->m.gpcopy_command[0] = '\0';
	if (w->m.method != METHOD_GPCOPY || !w->be->gpcopy_preview)
		return NAV_OK;
	char err[300];
	if (!w->be->gpcopy_preview(w->be->ctx, w->m.plan, w->m.gpcopy_command, sizeof w->m.gpcopy_command, err,
				   sizeof err)) {
		w->m.gpcopy_command[0] = '\0';
		wizard_set_status(w, R_FAIL, "gpcopy: %s", err);
	}
	return NAV_OK;
}

int review_gpcopy_draw(struct wizard *w, struct canvas *c, int y)
{
	canvas_text(c, y, 2, 14, R_DIM, "gpcopy");
	if (!w->m.gpcopy_command[0]) {
		canvas_text(c, y, 16, c->cols - 18, R_FAIL,
			    w->be->gpcopy_preview ? "the command could not be prepared (see the message below)"
						  : "not available in this build: running gpcopy");
		return 1;
	}
	int used = canvas_wrap(c, y, 16, c->cols - 18, 5, 0, R_NORMAL, w->m.gpcopy_command);
	if (used > 5)
		used = 5;
	canvas_text(c, y + used, 16, c->cols - 18, R_DIM, "run on the master over SSH; its log becomes the panes");
	return used + 1;
}
