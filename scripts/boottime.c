/*
 * boottime — time a boot from the outside, for scripts/bench.sh.
 *
 *   boottime [-t SECONDS] [-o LOGFILE] [-k TEXT] MARKER -- COMMAND [ARG...]
 *
 * Runs COMMAND (normally QEMU) with its stdout and stderr on a pipe and stdin on
 * /dev/null, copies everything it prints to LOGFILE, and prints one line:
 *
 *   MARKER_US EXIT_US STATUS
 *
 * MARKER_US  microseconds from just before fork() to the moment MARKER (e.g.
 *            "pvkit: ready") first appeared in the output, or -1 if it never did;
 * EXIT_US    microseconds from just before fork() to the child's exit;
 * STATUS     the child's exit code, 128+N if signal N killed it, or -1 if it was
 *            killed because it ran longer than SECONDS (default 60) or printed
 *            TEXT (-k: e.g. "KVM internal error", after which QEMU would wait forever).
 *
 * Times come from CLOCK_MONOTONIC.  The marker is searched in the byte stream, so
 * it is found as soon as its last byte arrives, even in the middle of a line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void usage(void)
{
	fprintf(stderr, "usage: boottime [-t SECONDS] [-o LOGFILE] [-k TEXT] MARKER -- COMMAND [ARG...]\n");
	exit(2);
}

/* Start COMMAND with stdout+stderr on the write end of a new pipe; return the
 * read end and store the child's pid. */
static int spawn(char **argv, pid_t *pid)
{
	int fds[2];

	if (pipe(fds) < 0) {
		perror("boottime: pipe");
		exit(2);
	}
	*pid = fork();
	if (*pid < 0) {
		perror("boottime: fork");
		exit(2);
	}
	if (*pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(127);
		close(fds[0]);
		close(fds[1]);
		close(null);
		execvp(argv[0], argv);
		fprintf(stderr, "boottime: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	return fds[0];
}

int main(int argc, char **argv)
{
	double limit_s = 60;
	const char *logname = NULL, *marker, *killtext = NULL;
	FILE *log = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "+t:o:k:")) != -1) {
		if (opt == 't')
			limit_s = atof(optarg);
		else if (opt == 'o')
			logname = optarg;
		else if (opt == 'k')
			killtext = optarg;
		else
			usage();
	}
	/* getopt stops at "--" and skips it; MARKER comes before it */
	if (optind + 1 >= argc)
		usage();
	marker = argv[optind];
	if (strcmp(argv[optind + 1], "--") != 0 || optind + 2 >= argc)
		usage();
	if (logname && !(log = fopen(logname, "w"))) {
		perror(logname);
		return 2;
	}

	size_t mlen = strlen(marker), klen = killtext ? strlen(killtext) : 0;
	size_t keep = mlen > klen ? mlen : klen;   /* longest text we look for */
	if (mlen == 0 || keep > 1024 || (killtext && klen == 0))
		usage();

	long long start = now_us(), deadline = start + (long long)(limit_s * 1e6);
	long long marker_us = -1, exit_us;
	int killed = 0, status;
	pid_t pid;
	int fd = spawn(&argv[optind + 2], &pid);

	/* window = the last (keep - 1) bytes seen, followed by the new chunk, so a
	 * text split across two reads is still found */
	char window[1024 + 4096];
	size_t kept = 0;

	for (;;) {
		long long left_ms = (deadline - now_us()) / 1000;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (left_ms <= 0) {
			killed = 1;
			kill(pid, SIGKILL);
			break;
		}
		int n = poll(&pfd, 1, left_ms > 1000 ? 1000 : (int)left_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		ssize_t got = read(fd, window + kept, 4096);
		long long t = now_us();
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;                  /* EOF: the child closed its output */
		if (log)
			fwrite(window + kept, 1, (size_t)got, log);
		size_t len = kept + (size_t)got;
		if (marker_us < 0 && memmem(window, len, marker, mlen))
			marker_us = t - start;
		if (killtext && memmem(window, len, killtext, klen)) {
			killed = 1;
			kill(pid, SIGKILL);
			break;
		}
		kept = len < keep - 1 ? len : keep - 1;
		memmove(window, window + len - kept, kept);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	exit_us = now_us() - start;
	close(fd);
	if (log)
		fclose(log);

	int code = killed ? -1
		 : WIFEXITED(status) ? WEXITSTATUS(status)
		 : 128 + WTERMSIG(status);
	printf("%lld %lld %d\n", marker_us, exit_us, code);
	return 0;
}
