/* SPDX-License-Identifier: MIT */
/* Report output written atomically through a temporary file. */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

int cli_output_open(cli_output *output, const char *path)
{
    struct stat info;
    int fd;

    memset(output, 0, sizeof(*output));
    if (path == NULL || strcmp(path, "-") == 0) {
        output->stream = stdout;
        return 0;
    }
    /* A device or pipe (such as /dev/null) is written in place: renaming
     * a temporary file over it would replace it. */
    if (stat(path, &info) == 0 && !S_ISREG(info.st_mode)) {
        output->stream = fopen(path, "w");
        if (output->stream == NULL) {
            cli_error("cannot write '%s': %s", path, strerror(errno));
            return -1;
        }
        output->direct = true;
        return 0;
    }
    output->path = strdup(path);
    output->temporary = malloc(strlen(path) + sizeof(".tmp.XXXXXX"));
    if (output->path == NULL || output->temporary == NULL) {
        cli_error("out of memory");
        goto fail;
    }
    sprintf(output->temporary, "%s.tmp.XXXXXX", path);
    fd = mkstemp(output->temporary);
    if (fd < 0) {
        cli_error("cannot create '%s': %s", output->temporary, strerror(errno));
        cli_note("check that the folder of '%s' exists and is writable", path);
        goto fail;
    }
    /* mkstemp creates the file readable by its owner only; a report gets
     * the mode any new file gets, 0666 less the umask. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        cli_error("cannot set the mode of '%s': %s", output->temporary,
                  strerror(errno));
        close(fd);
        unlink(output->temporary);
        goto fail;
    }
    output->stream = fdopen(fd, "w");
    if (output->stream == NULL) {
        close(fd);
        unlink(output->temporary);
        cli_error("cannot write '%s': %s", path, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    free(output->path);
    free(output->temporary);
    memset(output, 0, sizeof(*output));
    return -1;
}

int cli_output_commit(cli_output *output)
{
    int result = 0;

    if (output->direct) {
        result = fclose(output->stream) == 0 ? 0 : -1;
        if (result != 0)
            cli_error("cannot write the report: %s", strerror(errno));
        memset(output, 0, sizeof(*output));
        return result;
    }
    if (output->path == NULL) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            cli_error("cannot write the report to standard output: %s",
                      strerror(errno));
            return -1;
        }
        return 0;
    }
    if (fflush(output->stream) != 0 || ferror(output->stream) ||
        fsync(fileno(output->stream)) != 0) {
        cli_error("cannot write '%s': %s", output->path, strerror(errno));
        result = -1;
    }
    if (fclose(output->stream) != 0 && result == 0) {
        cli_error("cannot write '%s': %s", output->path, strerror(errno));
        result = -1;
    }
    if (result == 0 && rename(output->temporary, output->path) != 0) {
        cli_error("cannot rename '%s' to '%s': %s", output->temporary,
                  output->path, strerror(errno));
        result = -1;
    }
    if (result != 0)
        unlink(output->temporary);
    free(output->path);
    free(output->temporary);
    memset(output, 0, sizeof(*output));
    return result;
}

void cli_output_abort(cli_output *output)
{
    if (output->direct)
        fclose(output->stream);
    if (output->path) {
        fclose(output->stream);
        unlink(output->temporary);
    }
    free(output->path);
    free(output->temporary);
    memset(output, 0, sizeof(*output));
}
