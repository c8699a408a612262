/* Unit tests of watch: the limits of the set, a save by rename, the stop
 * signal. tests/run.sh tests `nastavdoc watch` end to end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "watch.h"

static char base[] = "/tmp/nastavdoc-watch-XXXXXX";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Files in more folders than WATCH_MAX_DIRS: the rest are left out with no
 * errno. (A folder that does not exist is watched through its parent:
 * test_watch_folder_gone.) */
static void test_watch_limits(void **state)
{
    (void)state;
    enum { N = WATCH_MAX_DIRS + 2 };
    char *paths[N];
    for (int i = 0; i < N; i++) {
        char dir[96];
        snprintf(dir, sizeof dir, "%s/d%d", base, i);
        assert_int_equal(mkdir(dir, 0700), 0);
        paths[i] = malloc(128);
        snprintf(paths[i], 128, "%s/f.yaml", dir);
    }
    watch *w = watch_new();
    assert_non_null(w);
    int err = -1;
    assert_int_equal(watch_set(w, (const char *const *)paths, N, &err), 2);
    assert_int_equal(err, 0);
    watch_free(w);
    for (int i = 0; i < N; i++)
        free(paths[i]);
}

/* A watch of one new file, name in base (its path into file, n bytes). */
static watch *watch_new_file(char *file, size_t n, const char *name)
{
    snprintf(file, n, "%s/%s", base, name);
    write_file(file, "document: order\n");
    watch *w = watch_new();
    assert_non_null(w);
    const char *files[] = {file};
    int err;
    assert_int_equal(watch_set(w, files, 1, &err), 0);
    return w;
}

/* A file replaced by rename (as editors save) is a change; then a pending
 * SIGTERM is a stop. */
static void test_watch_rename_and_stop(void **state)
{
    (void)state;
    char file[96], tmp[96];
    snprintf(tmp, sizeof tmp, "%s/.doc.yaml.swp", base);
    watch *w = watch_new_file(file, sizeof file, "doc.yaml");
    write_file(tmp, "document: roadmap\n");
    assert_int_equal(rename(tmp, file), 0);
    assert_int_equal(watch_wait(w), WATCH_CHANGED);
    raise(SIGTERM); /* blocked by watch_new: pending until read */
    assert_int_equal(watch_wait(w), WATCH_STOP);
    watch_free(w);
}

/* A change is rendered while other files of its folder keep changing: the
 * quiet time that ends a burst counts from the last event of a watched
 * file. (Every event reset it: a log or a sync client writing in the
 * dossier folder every 20 ms kept a saved document from ever being
 * rendered.) The child writes its file until killed (20 s at most); alarm
 * is the bound of a hang, far above the WATCH_QUIET_MS the wait takes. */
static void test_watch_change_amid_noise(void **state)
{
    (void)state;
    char file[96], noise[96];
    snprintf(noise, sizeof noise, "%s/noise.log", base);
    watch *w = watch_new_file(file, sizeof file, "amid.yaml");
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) { /* 20 s at most: it outlives a parent the alarm ended */
        for (int i = 0; i < 1000; i++) {
            FILE *f = fopen(noise, "w");
            if (f)
                fclose(f);
            usleep(20000);
        }
        _exit(0);
    }
    usleep(100000);
    write_file(file, "document: roadmap\n");
    alarm(10);
    watch_event ev = watch_wait(w);
    alarm(0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    assert_int_equal(ev, WATCH_CHANGED);
    watch_free(w);
}

/* The folder of a watched file renamed away (a `git checkout`, a sync
 * client) is a change; watched again by its path (as main.c does after the
 * render), the folder is missing and watched through the folder above it,
 * so its coming back is a change too. Before, the first was no event and
 * the watch stayed on the renamed folder: edits at the path were never
 * seen again. alarm bounds a hang. */
static void test_watch_folder_gone(void **state)
{
    (void)state;
    char dir[96], away[96], file[128];
    snprintf(dir, sizeof dir, "%s/dossier", base);
    snprintf(away, sizeof away, "%s/dossier.old", base);
    snprintf(file, sizeof file, "%s/doc.yaml", dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    write_file(file, "document: order\n");
    watch *w = watch_new();
    assert_non_null(w);
    const char *files[] = {file};
    int err;
    assert_int_equal(watch_set(w, files, 1, &err), 0);
    assert_int_equal(rename(dir, away), 0);
    alarm(10);
    assert_int_equal(watch_wait(w), WATCH_CHANGED);
    assert_int_equal(watch_set(w, files, 1, &err), 0); /* through base */
    assert_int_equal(err, 0);
    assert_int_equal(rename(away, dir), 0);
    assert_int_equal(watch_wait(w), WATCH_CHANGED);
    assert_int_equal(watch_set(w, files, 1, &err), 0); /* the folder again */
    write_file(file, "document: roadmap\n");
    assert_int_equal(watch_wait(w), WATCH_CHANGED);
    alarm(0);
    watch_free(w);
}

int main(void)
{
    if (!mkdtemp(base))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watch_limits),
        cmocka_unit_test(test_watch_rename_and_stop),
        cmocka_unit_test(test_watch_change_amid_noise),
        cmocka_unit_test(test_watch_folder_gone),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
