/* outfile: write a file whole or not at all (docs/output.md).
 *
 * The new content goes to a temporary file in the folder of the file it
 * replaces, so that rename(2) swaps it in atomically on one file system;
 * the temporary name is short (".nastavdoc-XXXXXX"), so any name the
 * folder allows for the output is fine for it too. A symlink the user named
 * is followed to its final target, and the target is replaced, never the
 * link; one at a name the program made is refused (outfile_name). Devices,
 * FIFOs, sockets and folders are refused before anything is opened: as root,
 * renaming a file over /dev/null would destroy the node, and opening a FIFO
 * blocks until a reader comes.
 *
 * A signal that ends the program (TERM, INT, HUP, and every other one whose
 * default action ends it: QUIT, ALRM, USR1, XCPU from `ulimit -t` …) must not
 * leave the temporary file behind: its path sits in a static buffer
 * prepared before the file exists, and the handler only unlinks it and
 * re-raises the signal with the default action, both async-signal-safe
 * (signal-safety(7)). SIGXFSZ (a write past `ulimit -f`) is ignored, so the
 * write fails with EFBIG and is reported as any write error. */
#include "outfile.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum {
    /* Symlinks followed from the output path to its target: the kernel's own
     * limit for one path lookup (MAXSYMLINKS in Linux), so a loop ends. */
    OUTFILE_MAX_LINKS = 40,
};

/* The temporary file's name within the target's folder; mkstemp fills the
 * Xs. 17 bytes, far below NAME_MAX. */
static const char TEMP_NAME[] = ".nastavdoc-XXXXXX";

/* The signals whose default action ends the process and which others send
 * (kill, timeout -s, a shell's trap) or limits raise (SIGXCPU: ulimit -t),
 * besides the real-time ones (install_handlers). The faults (SEGV, BUS,
 * FPE, ILL, ABRT, TRAP, SYS) are left to their default action and to the
 * sanitizers. */
static const int CLEANUP_SIGNALS[] = {SIGTERM, SIGINT,  SIGHUP,  SIGQUIT,   SIGALRM,
                                      SIGUSR1, SIGUSR2, SIGPIPE, SIGVTALRM, SIGPROF,
                                      SIGXCPU, SIGPOLL, SIGPWR,  SIGSTKFLT};
enum { NSIGNALS = sizeof CLEANUP_SIGNALS / sizeof CLEANUP_SIGNALS[0] };

/* What the handler removes: set while the signals are blocked, so the
 * handler never sees half a path or a file it does not know of. */
static char temp_path[PATH_MAX];
static volatile sig_atomic_t temp_armed;
static bool handlers_installed;
/* The signals on_signal handles: blocked around every change of temp_path. */
static sigset_t cleanup_set;

struct outfile {
    int fd;
    bool to_stdout;
    char *shown;  /* the path as given, for messages */
    char *target; /* the file renamed over: the end of the symlink chain */
    mode_t mode;  /* the permissions the new file gets (choose_mode) */
};

static void on_signal(int sig)
{
    if (temp_armed)
        unlink(temp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Catch sig with on_signal, adding it to cleanup_set, when it is at its
 * default action. One the parent set to be ignored (nohup, a background
 * job) stays ignored; one another part of the process handles stays its
 * own: libFuzzer's SIGALRM timer ended the fuzzers («Alarm clock») once
 * SIGALRM was taken here. One call a signal, the old action put back when
 * it was not the default: the caller blocks sig meanwhile, so it is never
 * delivered to the wrong handler. */
static void catch_signal(int sig)
{
    struct sigaction old, sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, &old) != 0)
        return;
    if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
        sigaction(sig, &old, NULL);
    else
        sigaddset(&cleanup_set, sig);
}

/* Install on_signal for the signals that end the program, once, with them
 * blocked (catch_signal); ignore SIGXFSZ at every call: a file past
 * RLIMIT_FSIZE then fails its write (EFBIG) and is removed, instead of the
 * process dying with the file left. */
static void install_handlers(void)
{
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGXFSZ, &ign, NULL);
    if (handlers_installed)
        return;
    handlers_installed = true;
    sigset_t all, saved;
    sigemptyset(&all);
    for (size_t i = 0; i < NSIGNALS; i++)
        sigaddset(&all, CLEANUP_SIGNALS[i]);
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        sigaddset(&all, sig);
    sigprocmask(SIG_BLOCK, &all, &saved);
    sigemptyset(&cleanup_set);
    for (size_t i = 0; i < NSIGNALS; i++)
        catch_signal(CLEANUP_SIGNALS[i]);
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        catch_signal(sig);
    sigprocmask(SIG_SETMASK, &saved, NULL);
}

/* Block (or unblock) the cleanup signals around a change of temp_path and
 * the file system that must look atomic to the handler. */
static void block_signals(bool block, sigset_t *saved)
{
    if (block)
        sigprocmask(SIG_BLOCK, &cleanup_set, saved);
    else
        sigprocmask(SIG_SETMASK, saved, NULL);
}

/* resolve_target's mode of a name that is not there yet: no permission
 * bits are ever all ones */
#define MODE_NEW ((mode_t)-1)

/* The words for what is written at path, by its name: the schemas of
 * `schema --all` are .json, everything else is a PDF. acc is the object of
 * «записать», kind names the file («файла PDF»). */
typedef struct {
    const char *acc, *kind;
} file_words;

static file_words words_for(const char *path)
{
    size_t n = strlen(path);
    if (n >= 5 && strcmp(path + n - 5, ".json") == 0)
        return (file_words){"схему JSON", "JSON"};
    return (file_words){"PDF", "PDF"};
}

/* What a file type we refuse is and what to give instead (into out), or
 * false when the type is fine. */
static bool refused_type(mode_t mode, file_words w, buf *out)
{
    if (S_ISDIR(mode))
        buf_printf(out, "папка; укажите имя файла %s в ней", w.kind);
    else if (S_ISCHR(mode) || S_ISBLK(mode))
        buf_printf(out, "устройство, а не обычный файл; укажите путь к файлу %s", w.kind);
    else if (S_ISFIFO(mode))
        buf_printf(out,
                   "именованный канал, а не обычный файл; укажите путь к файлу %s "
                   "или -o - для стандартного вывода",
                   w.kind);
    else if (S_ISSOCK(mode))
        buf_printf(out, "сокет, а не обычный файл; укажите путь к файлу %s", w.kind);
    else
        return false;
    return true;
}

/* The folder part of path ("." when it has none), with a slash. Caller
 * frees. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup("./");
    return xstrndup(path, (size_t)(slash - path) + 1);
}

/* Follow path through its symlinks to the file a write must replace: an
 * existing regular file or a name that does not exist yet (a dangling link
 * is written through, creating its target, as a shell's ">" would). NULL
 * with a message for anything else, and for any symlink when who is
 * OUTFILE_DERIVED. Caller frees. *mode (when mode is not
 * NULL) gets the permission bits of the regular file found, or MODE_NEW
 * for a new name. */
static char *resolve_target(const char *path, outfile_name who, diag *d, mode_t *mode)
{
    src_mark at = {path, 0, 0};
    file_words w = words_for(path);
    char *cur = xstrdup(path);
    if (mode)
        *mode = MODE_NEW;
    for (int hops = 0;; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0) {
            if (errno == ENOENT)
                return cur; /* a new file; its folder is checked on open */
            diag_error(d, at, "не удалось записать %s: %s", path, diag_strerror(errno));
            break;
        }
        if (!S_ISLNK(st.st_mode)) {
            buf what;
            buf_init(&what);
            if (!refused_type(st.st_mode, w, &what)) {
                if (mode)
                    *mode = st.st_mode & 07777;
                return cur;
            }
            if (strcmp(cur, path) == 0)
                diag_error(d, at, "нельзя записать %s в %s: это %s", w.acc, path, what.data);
            else
                diag_error(d, at, "нельзя записать %s в %s: ссылка ведёт на %s, это %s", w.acc,
                           path, cur, what.data);
            buf_fini(&what);
            break;
        }
        if (who == OUTFILE_DERIVED) {
            diag_error(d, at,
                       "нельзя записать в %s: это символическая ссылка, а имя файла выбрала "
                       "программа, не вы; удалите ссылку (через ссылку программа пишет, только "
                       "если вы сами указали её в -o)",
                       path);
            break;
        }
        if (hops == OUTFILE_MAX_LINKS) {
            diag_error(d, at, "нельзя записать %s в %s: больше %d символических ссылок подряд",
                       w.acc, path, OUTFILE_MAX_LINKS);
            break;
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            diag_error(d, at, "не удалось записать %s: %s", path, diag_strerror(errno));
            break;
        }
        link[n] = '\0';
        buf next;
        buf_init(&next);
        if (link[0] == '/') {
            buf_puts(&next, link);
        } else {
            char *dir = folder_of(cur);
            buf_printf(&next, "%s%s", dir, link);
            free(dir);
        }
        free(cur);
        cur = buf_take(&next);
    }
    free(cur);
    return NULL;
}

bool outfile_check(const char *path, outfile_name who, diag *d)
{
    if (strcmp(path, "-") == 0) {
        if (isatty(STDOUT_FILENO)) {
            diag_error(d, DIAG_NOWHERE,
                       "-o -: стандартный вывод — терминал; перенаправьте его в файл "
                       "(> файл.pdf) или укажите -o ФАЙЛ.pdf");
            return false;
        }
        return true;
    }
    char *target = resolve_target(path, who, d, NULL);
    free(target);
    return target != NULL;
}

static void report_io(diag *d, const char *path, int err)
{
    diag_error(d, (src_mark){path, 0, 0}, "не удалось записать %s: %s", path, diag_strerror(err));
}

/* Permissions for the new file: those of the file it replaces (old, as
 * resolve_target found it when the output was opened), or what open(2)
 * would give under the umask (mkstemp makes it 0600). */
static mode_t choose_mode(mode_t old)
{
    if (old != MODE_NEW)
        return old;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

outfile *outfile_open(const char *path, outfile_name who, diag *d)
{
    assert(!temp_armed); /* one outfile at a time: the handler knows one path */
    bool to_stdout = strcmp(path, "-") == 0;
    if (to_stdout && !outfile_check(path, who, d))
        return NULL;
    outfile *f = xcalloc(1, sizeof *f);
    f->fd = -1;
    f->shown = xstrdup(path);
    if (to_stdout) {
        f->to_stdout = true;
        f->fd = STDOUT_FILENO;
        return f;
    }
    /* the checks of outfile_check, and the target, in one walk */
    mode_t old;
    f->target = resolve_target(path, who, d, &old);
    f->mode = choose_mode(old);
    char *dir = f->target ? folder_of(f->target) : NULL;
    if (!dir) {
        outfile_abort(f);
        return NULL;
    }
    if (strlen(dir) + sizeof TEMP_NAME > sizeof temp_path) {
        report_io(d, path, ENAMETOOLONG);
        free(dir);
        outfile_abort(f);
        return NULL;
    }
    install_handlers();
    sigset_t saved;
    block_signals(true, &saved);
    strcpy(temp_path, dir);
    strcat(temp_path, TEMP_NAME);
    f->fd = mkstemp(temp_path);
    int err = errno;
    if (f->fd >= 0) {
        temp_armed = 1;
        util_set_cleanup_path(temp_path);
    }
    block_signals(false, &saved);
    free(dir);
    if (f->fd < 0) {
        report_io(d, path, err);
        outfile_abort(f);
        return NULL;
    }
    return f;
}

bool outfile_write(outfile *f, const void *data, size_t len, diag *d)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(f->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            report_io(d, f->shown, errno);
            return false;
        }
        p += w;
        len -= (size_t)w;
    }
    return true;
}

/* fsync folder dir, so the renames in it survive a crash. A file system
 * that cannot sync folders says EINVAL: nothing to do there. */
static bool sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0 || errno == EINVAL;
    int err = errno;
    close(fd);
    errno = err;
    return ok;
}

/* The folders whose sync is deferred (outfile_defer_folder_sync): at most
 * one a document, as a batch worker's documents come folder after folder
 * the previous one is not added again; outfile_sync_deferred skips the
 * other repeats after sorting. */
static struct {
    bool on;
    char **dirs;
    size_t n, cap;
} deferred;

void outfile_defer_folder_sync(void)
{
    deferred.on = true;
}

static void defer_folder(char *dir)
{
    if (deferred.n && !strcmp(deferred.dirs[deferred.n - 1], dir)) {
        free(dir);
        return;
    }
    if (deferred.n == deferred.cap) {
        deferred.cap = deferred.cap ? 2 * deferred.cap : 16;
        deferred.dirs = xrealloc(deferred.dirs, deferred.cap * sizeof *deferred.dirs);
    }
    deferred.dirs[deferred.n++] = dir;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool outfile_sync_deferred(diag *d)
{
    bool ok = true;
    /* sorted, each folder once: n log n in the documents, whatever their folders */
    if (deferred.n > 1)
        qsort(deferred.dirs, deferred.n, sizeof *deferred.dirs, by_name);
    for (size_t i = 0; i < deferred.n; i++) {
        if (i > 0 && !strcmp(deferred.dirs[i - 1], deferred.dirs[i]))
            continue;
        if (!sync_dir(deferred.dirs[i])) {
            diag_error(d, (src_mark){deferred.dirs[i], 0, 0},
                       "не удалось записать на диск папку %s: %s; новые файлы в ней могут не "
                       "пережить сбой питания — проверьте диск",
                       deferred.dirs[i], diag_strerror(errno));
            ok = false;
        }
    }
    for (size_t i = 0; i < deferred.n; i++)
        free(deferred.dirs[i]);
    free(deferred.dirs);
    deferred.dirs = NULL;
    deferred.n = deferred.cap = 0;
    return ok;
}

bool outfile_commit(outfile *f, diag *d)
{
    if (f->to_stdout) {
        outfile_abort(f);
        return true;
    }
    bool ok = false;
    if (fchmod(f->fd, f->mode) != 0 || fsync(f->fd) != 0) {
        report_io(d, f->shown, errno);
        goto out;
    }
    int rc = close(f->fd);
    f->fd = -1;
    if (rc != 0) {
        report_io(d, f->shown, errno);
        goto out;
    }
    sigset_t saved;
    block_signals(true, &saved);
    rc = rename(temp_path, f->target);
    int err = errno;
    if (rc == 0) {
        temp_armed = 0;
        util_set_cleanup_path(NULL);
    }
    block_signals(false, &saved);
    if (rc != 0) {
        report_io(d, f->shown, err);
        goto out;
    }
    /* The new file is in place; a folder that cannot be synced is still
     * reported, as the file may not survive a crash. */
    char *dir = folder_of(f->target);
    if (deferred.on) {
        defer_folder(dir);
    } else {
        bool synced = sync_dir(dir);
        int e = errno;
        free(dir);
        if (!synced) {
            report_io(d, f->shown, e);
            goto out;
        }
    }
    ok = true;
out:
    outfile_abort(f);
    return ok;
}

void outfile_abort(outfile *f)
{
    if (!f)
        return;
    if (!f->to_stdout && f->fd >= 0)
        close(f->fd);
    if (temp_armed) {
        sigset_t saved;
        block_signals(true, &saved);
        unlink(temp_path);
        temp_armed = 0;
        util_set_cleanup_path(NULL);
        block_signals(false, &saved);
    }
    free(f->shown);
    free(f->target);
    free(f);
}
