/* timeit: run a command RUNS times as a whole process and print the median
 * wall milliseconds, CPU milliseconds (user + system of the child) and
 * peak resident KiB, for scripts/bench.sh. The clock is read right around
 * fork and wait, so nothing of the shell's own start-up is counted (date and
 * /usr/bin/time around a command add 2-4 ms on a small VM).
 *
 *   timeit RUNS COMMAND [ARG ...]   ->   "wall_ms cpu_ms peak_kib"
 *
 * The command's output goes to /dev/null; a run that fails is reported and
 * ends the measure with exit 1. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { RUNS_MAX = 1000 };

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[(n - 1) / 2];
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[1]) : 0;
    if (runs < 1 || runs > RUNS_MAX) {
        fprintf(stderr, "usage: timeit RUNS COMMAND [ARG ...] (RUNS 1-%d)\n", RUNS_MAX);
        return 2;
    }
    static double wall[RUNS_MAX], cpu[RUNS_MAX], peak[RUNS_MAX];
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid < 0) {
            perror("timeit: fork");
            return 1;
        }
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0) {
                dup2(null, 1);
                dup2(null, 2);
            }
            execvp(argv[2], argv + 2);
            _exit(127);
        }
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0) {
            perror("timeit: wait4");
            return 1;
        }
        wall[i] = now_ms() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "timeit: %s failed (status %d)\n", argv[2], status);
            return 1;
        }
        cpu[i] = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
                 ru.ru_stime.tv_usec / 1e3;
        peak[i] = (double)ru.ru_maxrss;
    }
    printf("%.2f %.2f %.0f\n", median(wall, runs), median(cpu, runs), median(peak, runs));
    return 0;
}
