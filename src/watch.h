/* watch: waiting until one of a document's files changes, for `nastavdoc
 * watch` (inotify). Owns its inotify and signal descriptors and copies of
 * the names it watches; prints nothing (main.c reports). The only file that
 * includes <sys/inotify.h>. Included by main.c.
 *
 * It watches the folder of each file, not the file: editors that save by
 * writing a new file and renaming it over the old one (vim, VS Code, gedit)
 * replace the inode a watch on the file would hold. An event counts when it
 * names one of the files in its folder; a burst of them (an editor's save is
 * a write, a rename and a chmod) ends after WATCH_QUIET_MS without one
 * (events of the folder's other files do not put it off). A watched folder
 * removed or renamed is a change too; a folder that does not exist is
 * watched through the nearest one above it, for its name, so that its
 * coming back (a `git checkout`, a sync client) is seen. */
#ifndef NASTAVDOC_WATCH_H
#define NASTAVDOC_WATCH_H

#include <stdbool.h>
#include <stddef.h>

/* Limits: a document, its includes, annexes and template lie in a few
 * folders; past these the rest is left out (and reported by the caller). */
#define WATCH_MAX_DIRS 64    /* folders watched at once: one inotify watch each */
#define WATCH_MAX_FILES 1024 /* file names watched: each event is compared with them */
#define WATCH_QUIET_MS 100   /* the end of a burst of events: this long without one */

typedef struct watch watch;

typedef enum {
    WATCH_CHANGED, /* a watched file was written, created, renamed or removed */
    WATCH_STOP,    /* SIGINT, SIGTERM or SIGHUP: the user asked to stop */
    WATCH_FAILED,  /* the watch itself failed: errno says why */
} watch_event;

/* A new watcher. It blocks SIGINT, SIGTERM and SIGHUP for the process and
 * reads them as WATCH_STOP, so a signal that comes during a render waits
 * until the PDF is written; they stay blocked after watch_free (the caller
 * exits). NULL with errno set on failure. */
watch *watch_new(void);
void watch_free(watch *w);

/* Watch files[0..n) (paths as the loaders named them, relative to the
 * current folder or absolute) instead of the previous set; a folder watched
 * before keeps its queued events; a missing folder is watched through the
 * folder above it. Returns how many files were left out: over
 * WATCH_MAX_FILES or WATCH_MAX_DIRS, or a folder inotify refused (*err
 * gets the first such errno, 0 when none). */
size_t watch_set(watch *w, const char *const *files, size_t n, int *err);

/* Block (no busy loop: poll) until a watched file changed and no event of
 * a watched file came for WATCH_QUIET_MS, or a signal asks to stop. */
watch_event watch_wait(watch *w);

#endif
