/* screens: the functions behind each row of wizard_screens[] (screens.c). */
#ifndef GP2ADB_UI_SCREENS_H
#define GP2ADB_UI_SCREENS_H

#include "wizard.h"

/* scr_setup.c */
enum nav welcome_enter(struct wizard *w, char *reason, size_t size);
void welcome_draw(struct wizard *w, struct canvas *c, int top, int height);
void connections_draw(struct wizard *w, struct canvas *c, int top, int height);
bool connections_key(struct wizard *w, int key);
bool connections_validate(struct wizard *w, char *err, size_t size);

/* scr_databases.c */
enum nav databases_enter(struct wizard *w, char *reason, size_t size);
void databases_draw(struct wizard *w, struct canvas *c, int top, int height);
bool databases_key(struct wizard *w, int key);
bool databases_validate(struct wizard *w, char *err, size_t size);
bool databases_apply(struct wizard *w, char *err, size_t size);
/* "a, b (2 databases, 1.2 GiB)": the review's and the summary's line. */
char *databases_text(const struct ui_model *m);

/* scr_plan.c */
enum nav evaluation_enter(struct wizard *w, char *reason, size_t size);
void evaluation_draw(struct wizard *w, struct canvas *c, int top, int height);
bool evaluation_key(struct wizard *w, int key);
bool evaluation_validate(struct wizard *w, char *err, size_t size);
void evaluation_tick(struct wizard *w);
enum nav method_enter(struct wizard *w, char *reason, size_t size);
void method_draw(struct wizard *w, struct canvas *c, int top, int height);
bool method_key(struct wizard *w, int key);
void whitelist_draw(struct wizard *w, struct canvas *c, int top, int height);
bool whitelist_key(struct wizard *w, int key);
bool whitelist_validate(struct wizard *w, char *err, size_t size);
bool whitelist_apply(struct wizard *w, char *err, size_t size);

/* scr_gpcopy.c: the gpcopy tarball and installation; Review's gpcopy lines */
enum nav install_enter(struct wizard *w, char *reason, size_t size);
void install_draw(struct wizard *w, struct canvas *c, int top, int height);
bool install_key(struct wizard *w, int key);
bool install_validate(struct wizard *w, char *err, size_t size);
void install_tick(struct wizard *w);
enum nav review_enter(struct wizard *w, char *reason, size_t size);
/* Draw the gpcopy command at row y of the review; the rows used. */
int review_gpcopy_draw(struct wizard *w, struct canvas *c, int y);

/* scr_prep.c */
enum nav schema_enter(struct wizard *w, char *reason, size_t size);
void schema_draw(struct wizard *w, struct canvas *c, int top, int height);
bool schema_key(struct wizard *w, int key);
bool schema_validate(struct wizard *w, char *err, size_t size);
void schema_tick(struct wizard *w);
/* After the copy: apply the post-data section (indexes, constraints, foreign
 * keys) when the wizard applied the pre-data one (copy_ok: every table was
 * copied; otherwise the step says what to run later), and poll it. */
void schema_post_start(struct wizard *w, bool copy_ok);
void schema_post_tick(struct wizard *w);
/* Whether the post-data section is still being applied. */
bool schema_post_running(const struct wizard *w);
void review_draw(struct wizard *w, struct canvas *c, int top, int height);
bool review_apply(struct wizard *w, char *err, size_t size);

/* scr_copy.c */
enum nav migration_enter(struct wizard *w, char *reason, size_t size);
void migration_draw(struct wizard *w, struct canvas *c, int top, int height);
bool migration_key(struct wizard *w, int key);
bool migration_validate(struct wizard *w, char *err, size_t size);
void migration_tick(struct wizard *w);

/* scr_finish.c (and scr_bizcheck.c, scr_backfill.c between validation and ANALYZE) */
enum nav validation_enter(struct wizard *w, char *reason, size_t size);
void validation_draw(struct wizard *w, struct canvas *c, int top, int height);
bool validation_key(struct wizard *w, int key);
bool validation_validate(struct wizard *w, char *err, size_t size);
void validation_tick(struct wizard *w);
/* scr_bizcheck.c */
enum nav bizcheck_enter(struct wizard *w, char *reason, size_t size);
void bizcheck_draw(struct wizard *w, struct canvas *c, int top, int height);
bool bizcheck_key(struct wizard *w, int key);
bool bizcheck_validate(struct wizard *w, char *err, size_t size);
void bizcheck_tick(struct wizard *w);

/* scr_backfill.c */
enum nav backfill_enter(struct wizard *w, char *reason, size_t size);
void backfill_draw(struct wizard *w, struct canvas *c, int top, int height);
bool backfill_key(struct wizard *w, int key);
bool backfill_validate(struct wizard *w, char *err, size_t size);
void backfill_tick(struct wizard *w);
void backfill_screen_confirm(struct wizard *w);

/* scr_finish.c */
enum nav analyze_enter(struct wizard *w, char *reason, size_t size);
void analyze_draw(struct wizard *w, struct canvas *c, int top, int height);
bool analyze_validate(struct wizard *w, char *err, size_t size);
void analyze_tick(struct wizard *w);
enum nav access_enter(struct wizard *w, char *reason, size_t size);
void access_draw(struct wizard *w, struct canvas *c, int top, int height);
bool access_key(struct wizard *w, int key);
bool access_validate(struct wizard *w, char *err, size_t size);
void access_screen_confirm(struct wizard *w);
enum nav summary_enter(struct wizard *w, char *reason, size_t size);
void summary_draw(struct wizard *w, struct canvas *c, int top, int height);
bool summary_key(struct wizard *w, int key);

#endif
