/* outfile: an output file that is replaced whole or not at all. Owns the
 * temporary file while it is written and the signal handlers that remove it
 * (every signal that ends the process: docs/output.md); borrows the diag sink. Any module that
 * writes a file for the user goes through here (today pdf.c). The rules (devices, FIFOs, folders,
 * symlinks, standard output) are in docs/output.md. */
#ifndef NASTAVDOC_OUTFILE_H
#define NASTAVDOC_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct outfile outfile;

/* Who chose an output's name. A symlink is written through only where the
 * user named the file: a name the program made (x.pdf beside x.yaml, a
 * batch's or a partner's PDF, schema --all's files) lies in a folder that
 * may come from elsewhere (a dossier received from another school), where
 * a planted link would make the program replace any file the user may
 * write. */
typedef enum {
    OUTFILE_DERIVED, /* the program made it: a symlink there is refused */
    OUTFILE_TYPED,   /* the user typed it (-o FILE): symlinks are followed */
} outfile_name;

/* Whether path may be written: "-" (standard output, unless it is a
 * terminal), a new name, a regular file, or (for an OUTFILE_TYPED name) a
 * chain of symlinks ending at one of those. Touches nothing and opens
 * nothing. false with a message (mark: path) otherwise: a usage error. */
bool outfile_check(const char *path, outfile_name who, diag *d);

/* Start writing path: a temporary file next to the file it will replace
 * (the symlink's target for a symlink), or standard output for "-". Runs
 * outfile_check first. NULL with a message on failure. One outfile at a
 * time per process. */
outfile *outfile_open(const char *path, outfile_name who, diag *d);

/* Append data[0..len); false with a message on failure (then call
 * outfile_abort). */
bool outfile_write(outfile *f, const void *data, size_t len, diag *d);

/* Make the file permanent: fsync, rename over the target, fsync its folder.
 * Frees f. false with a message, and the temporary file removed, on
 * failure; the old file is then untouched. */
bool outfile_commit(outfile *f, diag *d);

/* Remove the temporary file and free f; outfile_abort(NULL) does nothing. */
void outfile_abort(outfile *f);

/* From now on, outfile_commit leaves the fsync of the output's folder to
 * outfile_sync_deferred: a batch worker syncs each folder once, when its
 * work is done, instead of once a document. The file itself is still
 * synced before its rename, so a crash never leaves a half-written file
 * under the output's name; a rename not yet synced may be lost, leaving
 * the old file (or none). */
void outfile_defer_folder_sync(void);
/* Sync every folder deferred so far; false after reporting each that could
 * not be synced into d. */
bool outfile_sync_deferred(diag *d);

#endif
