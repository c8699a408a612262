/* Unit tests for outfile: what a path may name, symlinks written through,
 * atomic replacement, and the temporary file removed on signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outfile.h"
#include "scratch.h"

static void put_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* The text of path, or "" when it cannot be read. Caller frees. */
static char *get_file(const char *path)
{
    size_t len;
    char *text = util_read_file(path, 1 << 20, &len);
    return text ? text : xstrdup("");
}

/* Names in dir that start with ".nastavdoc-": temporary files left. */
static size_t count_temps(const char *dir)
{
    size_t n = 0;
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    struct dirent *e;
    while ((e = readdir(dp)))
        n += strncmp(e->d_name, ".nastavdoc-", 11) == 0;
    closedir(dp);
    return n;
}

static char *messages(diag *d)
{
    buf b;
    buf_init(&b);
    diag_format(d, &b);
    return b.data ? buf_take(&b) : xstrdup("");
}

/* ---- what a path may name --------------------------------------------------- */

typedef enum { MAKE_NOTHING, MAKE_FILE, MAKE_DIR, MAKE_FIFO, MAKE_DEVICE, MAKE_LINK } make_kind;

typedef struct path_case {
    const char *name;
    make_kind make;
    const char *link_to; /* MAKE_LINK: the symlink's text */
    bool ok;             /* may be written */
    const char *message; /* part of the refusal */
    const char *target;  /* ok: the file that gets the content (relative) */
} path_case;

static const path_case PATH_CASES[] = {
    {"new file", MAKE_NOTHING, NULL, true, NULL, "out"},
    {"regular file replaced", MAKE_FILE, NULL, true, NULL, "out"},
    {"folder", MAKE_DIR, NULL, false, "это папка", NULL},
    {"FIFO", MAKE_FIFO, NULL, false, "именованный канал", NULL},
    {"device node", MAKE_DEVICE, NULL, false, "это устройство", NULL},
    {"symlink to a file", MAKE_LINK, "real", true, NULL, "real"},
    {"symlink to a symlink", MAKE_LINK, "hop", true, NULL, "real"},
    {"dangling symlink", MAKE_LINK, "sub/missing", true, NULL, "sub/missing"},
    {"symlink to a folder", MAKE_LINK, "sub", false, "ссылка ведёт на", NULL},
    {"symlink to a device", MAKE_LINK, "/dev/null", false, "это устройство", NULL},
    {"symlink loop", MAKE_LINK, "out", false, "символических ссылок", NULL},
};

/* Make the thing the row names at fx->dir/out, with fx->dir/real (a file),
 * fx->dir/hop -> real and fx->dir/sub (a folder) beside it. false when the
 * row cannot be set up here (a device node needs root). */
static bool make_case(const fixture *fx, const path_case *c, const char *out)
{
    char *real = path_in(fx, "real"), *hop = path_in(fx, "hop"), *sub = path_in(fx, "sub");
    put_file(real, "old real\n");
    unlink(hop);
    assert_int_equal(symlink("real", hop), 0);
    mkdir(sub, 0755);
    free(real);
    free(hop);
    free(sub);
    switch (c->make) {
    case MAKE_NOTHING:
        return true;
    case MAKE_FILE:
        put_file(out, "old out\n");
        return true;
    case MAKE_DIR:
        return mkdir(out, 0755) == 0;
    case MAKE_FIFO:
        return mkfifo(out, 0644) == 0;
    case MAKE_DEVICE:
        return mknod(out, S_IFCHR | 0666, makedev(1, 3)) == 0;
    case MAKE_LINK:
        return symlink(c->link_to, out) == 0;
    }
    return false;
}

/* Each row of PATH_CASES with the name typed by the user, then with it
 * made by the program: a symlink is followed only in the first case. */
static void test_paths(void **state)
{
    fixture *fx = *state;
    size_t rows = sizeof PATH_CASES / sizeof PATH_CASES[0];
    for (size_t i = 0; i < 2 * rows; i++) {
        outfile_name who = i < rows ? OUTFILE_TYPED : OUTFILE_DERIVED;
        path_case row = PATH_CASES[i % rows];
        const path_case *c = &row;
        if (who == OUTFILE_DERIVED && row.make == MAKE_LINK) {
            row.ok = false;
            row.message = "имя файла выбрала программа";
        }
        char *out = path_in(fx, "out");
        char cmd[160];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'/* '%s'/.n*", fx->dir, fx->dir);
        assert_int_equal(system(cmd), 0);
        if (!make_case(fx, c, out)) {
            assert_int_equal(c->make, MAKE_DEVICE); /* not root: nothing to test */
            free(out);
            continue;
        }
        struct stat before;
        bool existed = lstat(out, &before) == 0;
        diag *d = diag_new();
        bool checked = outfile_check(out, who, d);
        outfile *f = outfile_open(out, who, d);
        if (f) {
            assert_true(outfile_write(f, "new\n", 4, d));
            assert_true(outfile_commit(f, d));
        }
        char *msg = messages(d);
        if (checked != c->ok || (f != NULL) != c->ok)
            fail_msg("%s (%s): check %d, open %d, expected %d: %s", c->name,
                     who == OUTFILE_TYPED ? "typed" : "derived", checked, f != NULL, c->ok, msg);
        if (c->ok) {
            char *target = path_in(fx, c->target), *text = get_file(target);
            if (strcmp(text, "new\n") != 0)
                fail_msg("%s: %s holds «%s»", c->name, c->target, text);
            free(target);
            free(text);
        } else if (!strstr(msg, c->message)) {
            fail_msg("%s: message lacks «%s»: %s", c->name, c->message, msg);
        }
        /* A refused link's target is untouched. */
        char *real = path_in(fx, "real"), *was = get_file(real);
        if (!c->ok && strcmp(was, "old real\n") != 0)
            fail_msg("%s: real holds «%s»", c->name, was);
        free(was);
        free(real);
        /* Whatever was at out is still of its kind: a link stays a link, a
         * node a node. */
        struct stat after;
        if (existed) {
            assert_int_equal(lstat(out, &after), 0);
            if ((after.st_mode & S_IFMT) != (before.st_mode & S_IFMT))
                fail_msg("%s: the file type of out changed", c->name);
        }
        char *sub = path_in(fx, "sub");
        assert_int_equal(count_temps(fx->dir), 0);
        assert_int_equal(count_temps(sub), 0);
        free(sub);
        free(msg);
        free(out);
        diag_free(d);
    }
}

/* ---- replacement -------------------------------------------------------------- */

static void test_abort_keeps_old(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "keep");
    put_file(out, "old\n");
    assert_int_equal(chmod(out, 0640), 0);
    diag *d = diag_new();
    outfile *f = outfile_open(out, OUTFILE_TYPED, d);
    assert_non_null(f);
    assert_true(outfile_write(f, "half", 4, d));
    assert_int_equal(count_temps(fx->dir), 1);
    outfile_abort(f);
    char *text = get_file(out);
    assert_string_equal(text, "old\n");
    free(text);
    assert_int_equal(count_temps(fx->dir), 0);
    /* A commit keeps the mode of the file it replaces. */
    f = outfile_open(out, OUTFILE_TYPED, d);
    assert_non_null(f);
    assert_true(outfile_commit(f, d));
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(diag_errors(d), 0);
    diag_free(d);
    free(out);
}

/* The permissions the new file gets: those of the file replaced, taken
 * through a symlink from the link's target, including none at all (mode
 * 0, not "no file"); a new name gets 0666 minus the umask, also on the
 * second file of a process (the umask is read once). */
static void test_modes(void **state)
{
    fixture *fx = *state;
    char *none = path_in(fx, "mode-none"), *target = path_in(fx, "mode-target");
    char *link = path_in(fx, "mode-link"), *fresh = path_in(fx, "mode-fresh");
    put_file(none, "old\n");
    put_file(target, "old\n");
    assert_int_equal(chmod(none, 0), 0);
    assert_int_equal(chmod(target, 0604), 0);
    assert_int_equal(symlink(target, link), 0);
    mode_t mask = umask(027);
    const char *paths[] = {none, link, fresh, fresh};
    const mode_t want[] = {0, 0604, 0640, 0640};
    diag *d = diag_new();
    for (size_t i = 0; i < 4; i++) {
        if (i == 3)
            unlink(fresh);
        outfile *f = outfile_open(paths[i], OUTFILE_TYPED, d);
        assert_non_null(f);
        assert_true(outfile_write(f, "new", 3, d));
        assert_true(outfile_commit(f, d));
        struct stat st;
        assert_int_equal(stat(paths[i], &st), 0);
        assert_int_equal(st.st_mode & 07777, want[i]);
        assert_int_equal(st.st_size, 3);
    }
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    umask(mask);
    assert_int_equal(diag_errors(d), 0);
    diag_free(d);
    unlink(none), unlink(target), unlink(link), unlink(fresh);
    free(none), free(target), free(link), free(fresh);
}

/* A name of 254 bytes, legal on every common file system (NAME_MAX 255):
 * the temporary name beside it must not be longer. */
static void test_long_name(void **state)
{
    fixture *fx = *state;
    char name[255];
    memset(name, 'a', 250);
    strcpy(name + 250, ".pdf");
    char *out = path_in(fx, name);
    diag *d = diag_new();
    outfile *f = outfile_open(out, OUTFILE_TYPED, d);
    assert_non_null(f);
    assert_true(outfile_write(f, "x", 1, d));
    assert_true(outfile_commit(f, d));
    assert_int_equal(access(out, F_OK), 0);
    unlink(out);
    diag_free(d);
    free(out);
}

static void test_missing_folder(void **state)
{
    (void)state;
    diag *d = diag_new();
    assert_true(outfile_check("/nonexistent/x.pdf", OUTFILE_TYPED, d));
    assert_null(outfile_open("/nonexistent/x.pdf", OUTFILE_TYPED, d));
    char *msg = messages(d);
    assert_non_null(strstr(msg, "не удалось записать /nonexistent/x.pdf"));
    free(msg);
    diag_free(d);
}

/* "-" is standard output: the bytes go there unchanged. */
static void test_stdout(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "stdout");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    diag *d = diag_new();
    outfile *f = outfile_open("-", OUTFILE_TYPED, d);
    bool ok = f && outfile_write(f, "%PDF\n", 5, d) && outfile_commit(f, d);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_true(ok);
    char *text = get_file(out);
    assert_string_equal(text, "%PDF\n");
    free(text);
    assert_int_equal(count_temps(fx->dir), 0);
    diag_free(d);
    free(out);
}

/* ---- signals -------------------------------------------------------------------- */

/* Every signal whose default action ends the process, as sent by kill,
 * timeout -s, or raised by a limit (SIGXCPU: ulimit -t); the first
 * real-time signal too. SIGUSR1, SIGALRM, SIGXCPU and the others left the
 * temporary file behind before. */
static const int SIGNALS[] = {SIGTERM, SIGINT,    SIGHUP,  SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2,
                              SIGPIPE, SIGVTALRM, SIGPROF, SIGXCPU, SIGPOLL, SIGPWR,  SIGSTKFLT};

/* A child writing the file is killed by each signal (and by SIGRTMIN): it
 * dies of that signal, the temporary file is gone, the old file is intact. */
static volatile sig_atomic_t foreign_caught;
static void foreign_handler(int sig)
{
    (void)sig;
    foreign_caught = 1;
}

/* A signal another part of the process handles (libFuzzer's SIGALRM timer)
 * keeps its handler through an outfile: the fuzzers died «Alarm clock» when
 * outfile took every signal. Runs first (see main): a fork inherits the
 * handlers an earlier outfile_open of this process installed. */
static void test_foreign_handler(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "foreign.pdf");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = foreign_handler;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR2, &sa, NULL);
        diag *d = diag_new();
        outfile *f = outfile_open(out, OUTFILE_TYPED, d);
        if (!f || !outfile_write(f, "half", 4, d))
            _exit(1);
        raise(SIGUSR2);
        outfile_abort(f);
        diag_free(d);
        _exit(foreign_caught ? 0 : 2);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(count_temps(fx->dir), 0);
    free(out);
}

static void test_signal_cleanup(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "sig.pdf");
    put_file(out, "old\n");
    for (size_t i = 0; i <= sizeof SIGNALS / sizeof SIGNALS[0]; i++) {
        int sig = i < sizeof SIGNALS / sizeof SIGNALS[0] ? SIGNALS[i] : SIGRTMIN;
        int pipefd[2];
        assert_int_equal(pipe(pipefd), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            /* SIGQUIT dumps core by default: none in the test's folder */
            setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
            close(pipefd[0]);
            diag *d = diag_new();
            outfile *f = outfile_open(out, OUTFILE_TYPED, d);
            if (!f || !outfile_write(f, "half", 4, d))
                _exit(1);
            /* the parent checks the temporary file exists, then kills us */
            if (write(pipefd[1], "w", 1) != 1)
                _exit(1);
            for (;;)
                pause();
        }
        close(pipefd[1]);
        char c;
        assert_int_equal(read(pipefd[0], &c, 1), 1);
        close(pipefd[0]);
        assert_int_equal(count_temps(fx->dir), 1);
        kill(pid, sig);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), sig);
        assert_int_equal(count_temps(fx->dir), 0);
        char *text = get_file(out);
        assert_string_equal(text, "old\n");
        free(text);
    }
    free(out);
}

/* A signal the parent ignored (nohup, a background job) stays ignored. */
static void test_ignored_signal(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "ign.pdf");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGHUP, SIG_IGN);
        diag *d = diag_new();
        outfile *f = outfile_open(out, OUTFILE_TYPED, d);
        if (!f)
            _exit(1);
        raise(SIGHUP);
        _exit(outfile_commit(f, d) ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(access(out, F_OK), 0);
    free(out);
}

/* A write past RLIMIT_FSIZE (ulimit -f) fails with its message, the
 * temporary file is removed and the old file stays: the process is not
 * killed by SIGXFSZ with the temporary file left in the folder. */
static void test_file_size_limit(void **state)
{
    fixture *fx = *state;
    char *out = path_in(fx, "fsize.pdf");
    put_file(out, "old\n");
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_DFL);
        if (setrlimit(RLIMIT_FSIZE, &(struct rlimit){4096, 4096}) != 0)
            _exit(10);
        diag *d = diag_new();
        outfile *f = outfile_open(out, OUTFILE_TYPED, d);
        if (!f)
            _exit(11);
        static char block[8192];
        bool wrote = outfile_write(f, block, sizeof block, d);
        outfile_abort(f);
        char *msg = messages(d);
        _exit(wrote ? 12 : !strstr(msg, "не удалось записать") ? 13 : 0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(count_temps(fx->dir), 0);
    char *text = get_file(out);
    assert_string_equal(text, "old\n");
    free(text);
    free(out);
}

/* A batch worker's folders are synced once, at the end (outfile_defer_folder_sync):
 * the files are in place at once, each folder is synced, and one that
 * cannot be (gone meanwhile) is reported by name. In a child: the switch
 * is for the rest of the process. */
static int deferred_child(const fixture *fx)
{
    char *a = path_in(fx, "defer-a"), *b = path_in(fx, "defer-b");
    if (mkdir(a, 0777) != 0 || mkdir(b, 0777) != 0)
        return 10;
    outfile_defer_folder_sync();
    diag *d = diag_new();
    const char *names[] = {"defer-a/1.pdf", "defer-a/2.pdf", "defer-b/3.pdf"};
    for (size_t i = 0; i < 3; i++) {
        char *out = path_in(fx, names[i]);
        outfile *f = outfile_open(out, OUTFILE_TYPED, d);
        if (!f || !outfile_write(f, "%PDF\n", 5, d) || !outfile_commit(f, d))
            return 11;
        char *text = get_file(out);
        if (strcmp(text, "%PDF\n") != 0) /* in place before any folder sync */
            return 12;
        free(text);
        free(out);
    }
    if (diag_count(d) != 0)
        return 13;
    char *three = path_in(fx, "defer-b/3.pdf");
    if (unlink(three) != 0 || rmdir(b) != 0)
        return 14;
    if (outfile_sync_deferred(d)) /* defer-b is gone: reported */
        return 15;
    char *msg = messages(d);
    bool named = strstr(msg, "не удалось записать на диск папку") && strstr(msg, "defer-b") &&
                 !strstr(msg, "defer-a");
    if (!named)
        return 16;
    if (!outfile_sync_deferred(d)) /* nothing left to sync */
        return 17;
    free(msg);
    free(three);
    free(a);
    free(b);
    diag_free(d);
    return 0;
}

static void test_deferred_folder_sync(void **state)
{
    fixture *fx = *state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(deferred_child(fx));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    /* A shell starts background jobs with SIGINT ignored, and outfile keeps
     * an ignored signal ignored (test_ignored_signal): the signal tests
     * stand for a render started in the foreground. */
    for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
        signal(SIGNALS[i], SIG_DFL);
    signal(SIGRTMIN, SIG_DFL);
    const struct CMUnitTest tests[] = {
        /* first: before any outfile_open of this process installs handlers */
        cmocka_unit_test(test_foreign_handler), cmocka_unit_test(test_paths),
        cmocka_unit_test(test_abort_keeps_old), cmocka_unit_test(test_long_name),
        cmocka_unit_test(test_missing_folder),  cmocka_unit_test(test_stdout),
        cmocka_unit_test(test_signal_cleanup),  cmocka_unit_test(test_ignored_signal),
        cmocka_unit_test(test_modes),           cmocka_unit_test(test_deferred_folder_sync),
        cmocka_unit_test(test_file_size_limit),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
