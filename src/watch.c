/* watch: inotify on the folders of a document's files (watch.h). */
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* What changes a file in a folder: written and closed, created, removed,
 * renamed in or out (a save by rename is IN_MOVED_TO of the file's name);
 * and the folder itself removed or renamed (then its watch follows another
 * name or none: the files are looked for again by their paths). */
#define WATCH_MASK                                                                                 \
    (IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |       \
     IN_MOVE_SELF | IN_ONLYDIR)

typedef struct watch_dir {
    char *path;
    int wd;
} watch_dir;

typedef struct watch_file {
    size_t dir; /* index into dirs */
    char *name; /* the last part of the path */
} watch_file;

struct watch {
    int ino, sig; /* the inotify and signalfd descriptors */
    watch_dir dirs[WATCH_MAX_DIRS];
    size_t ndirs;
    watch_file files[WATCH_MAX_FILES];
    size_t nfiles;
};

watch *watch_new(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
        return NULL;
    watch *w = xcalloc(1, sizeof *w);
    w->ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    w->sig = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (w->ino < 0 || w->sig < 0) {
        int e = errno;
        watch_free(w);
        errno = e;
        return NULL;
    }
    return w;
}

static void forget(watch_dir *dirs, size_t ndirs, watch_file *files, size_t nfiles)
{
    for (size_t i = 0; i < ndirs; i++)
        free(dirs[i].path);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i].name);
}

void watch_free(watch *w)
{
    if (!w)
        return;
    forget(w->dirs, w->ndirs, w->files, w->nfiles);
    if (w->ino >= 0)
        close(w->ino);
    if (w->sig >= 0)
        close(w->sig);
    free(w);
}

/* The folder of path ("." for a bare name) and its last part, in fresh
 * memory (caller frees both). */
static void split_path(const char *path, char **dir, char **name)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        *dir = xstrdup(".");
        *name = xstrdup(path);
        return;
    }
    *dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
    *name = xstrdup(slash + 1);
}

/* The index of dir in dirs[0..*n) (the same inotify watch: one folder under
 * two names shares it), added when new; SIZE_MAX when inotify refuses it
 * (*err set) or the limit is reached. Takes dir. */
static size_t add_dir(watch *w, watch_dir *dirs, size_t *n, char *dir, int *err)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(dirs[i].path, dir)) {
            free(dir);
            return i;
        }
    int wd = *n < WATCH_MAX_DIRS ? inotify_add_watch(w->ino, dir, WATCH_MASK) : -1;
    if (wd < 0) {
        if (!*err && *n < WATCH_MAX_DIRS) /* over the limit: no errno to give */
            *err = errno;
        free(dir);
        return SIZE_MAX;
    }
    for (size_t i = 0; i < *n; i++)
        if (dirs[i].wd == wd) {
            free(dir);
            return i;
        }
    dirs[*n] = (watch_dir){dir, wd};
    return (*n)++;
}

/* Add the watch of path's folder to dirs; SIZE_MAX when it cannot be had
 * (*err set as add_dir sets it). A folder that does not exist (removed, or
 * renamed: a `git checkout`, a sync client) is watched through the nearest
 * folder above it that does, for the name of the next part of the path:
 * its coming back is an event there. *name gets the name watched for
 * (caller frees). */
static size_t add_path(watch *w, watch_dir *dirs, size_t *ndirs, const char *path, char **name,
                       int *err)
{
    char *up = xstrdup(path);
    for (;;) {
        char *dir;
        split_path(up, &dir, name);
        bool top = !strcmp(dir, ".") || !strcmp(dir, "/");
        char *above = xstrdup(dir);
        int e = 0;
        size_t d = add_dir(w, dirs, ndirs, dir, &e);
        if (d != SIZE_MAX || top || (e != ENOENT && e != ENOTDIR)) {
            if (d == SIZE_MAX && !*err)
                *err = e;
            free(above);
            free(up);
            return d;
        }
        free(*name);
        free(up);
        up = above; /* shorter than before: the loop ends */
    }
}

size_t watch_set(watch *w, const char *const *files, size_t n, int *err)
{
    watch_dir dirs[WATCH_MAX_DIRS];
    size_t ndirs = 0, nfiles = 0, left_out = 0;
    watch_file *fresh = xmalloc(WATCH_MAX_FILES * sizeof *fresh);
    *err = 0;
    for (size_t i = 0; i < n; i++) {
        if (nfiles >= WATCH_MAX_FILES) {
            left_out++;
            continue;
        }
        char *name;
        size_t d = add_path(w, dirs, &ndirs, files[i], &name, err);
        if (d == SIZE_MAX) {
            free(name);
            left_out++;
            continue;
        }
        fresh[nfiles++] = (watch_file){d, name};
    }
    /* the folders no longer needed stop being watched */
    for (size_t i = 0; i < w->ndirs; i++) {
        bool kept = false;
        for (size_t j = 0; j < ndirs && !kept; j++)
            kept = dirs[j].wd == w->dirs[i].wd;
        if (!kept)
            inotify_rm_watch(w->ino, w->dirs[i].wd);
    }
    forget(w->dirs, w->ndirs, w->files, w->nfiles);
    memcpy(w->dirs, dirs, ndirs * sizeof *dirs);
    w->ndirs = ndirs;
    memcpy(w->files, fresh, nfiles * sizeof *fresh);
    w->nfiles = nfiles;
    free(fresh);
    return left_out;
}

/* Whether ev names a watched file (or the queue overflowed: anything may
 * have changed). */
static bool relevant(const watch *w, const struct inotify_event *ev)
{
    if (ev->mask & IN_Q_OVERFLOW)
        return true;
    /* a watched folder removed or renamed: its files are gone from their
     * paths (an inotify_rm_watch of watch_set's gives IN_IGNORED too, but
     * for a folder no longer in dirs) */
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        for (size_t i = 0; i < w->ndirs; i++)
            if (w->dirs[i].wd == ev->wd)
                return true;
        return false;
    }
    if (!ev->len)
        return false;
    for (size_t i = 0; i < w->nfiles; i++)
        if (w->dirs[w->files[i].dir].wd == ev->wd && !strcmp(w->files[i].name, ev->name))
            return true;
    return false;
}

/* Read the queued events; true if one of them counts. */
static bool read_events(const watch *w, bool *failed)
{
    alignas(struct inotify_event) char b[4096];
    bool hit = false;
    for (;;) {
        ssize_t got = read(w->ino, b, sizeof b);
        if (got < 0) {
            *failed = errno != EAGAIN && errno != EINTR;
            return hit;
        }
        for (char *p = b; p < b + got;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            hit |= relevant(w, ev);
            p += sizeof *ev + ev->len;
        }
    }
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

watch_event watch_wait(watch *w)
{
    /* after a change: when the burst is over, WATCH_QUIET_MS after the last
     * event of a watched file (other files of the folder may change all the
     * time: a log, a sync client; they must not put the render off) */
    long long quiet_at = -1;
    for (;;) {
        int timeout = -1;
        if (quiet_at >= 0) {
            long long left = quiet_at - now_ms();
            if (left <= 0)
                return WATCH_CHANGED;
            timeout = (int)left;
        }
        struct pollfd p[2] = {{w->ino, POLLIN, 0}, {w->sig, POLLIN, 0}};
        int r = poll(p, 2, timeout);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return WATCH_FAILED;
        if (r == 0)
            continue; /* the deadline above says */
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(w->sig, &si, sizeof si) == (ssize_t)sizeof si)
                return WATCH_STOP;
        }
        if (p[0].revents & POLLIN) {
            bool failed = false;
            if (read_events(w, &failed))
                quiet_at = now_ms() + WATCH_QUIET_MS;
            if (failed)
                return WATCH_FAILED;
        }
    }
}
