/* psp-sweep: runs a sweep file's cells as psp-sim shard jobs on this
 * machine's cores, on GNU parallel (over ssh), or as one Slurm job array,
 * then merges each cell's shards into its output.  Every job writes its
 * shard file itself (psp-sim --shard), so the three ways differ only in who
 * starts the command lines; what they produce is byte-identical. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <psp/suggest.h>

#include "sweepfile.h"

enum mode { MODE_NONE, MODE_LOCAL, MODE_PARALLEL, MODE_SLURM };
enum { OPT_LOCAL = 256, OPT_PARALLEL, OPT_SLURM, OPT_RESUME, OPT_ONLY, OPT_LIST, OPT_PSP_SIM,
       OPT_SSHLOGINFILE, OPT_PARTITION, OPT_TIME, OPT_ACCOUNT, OPT_SBATCH_ARG, OPT_QUIET, OPT_VERSION };

#define MAX_SBATCH_ARGS 32

struct opts {
	const char *sweep_file;
	enum mode mode;
	const char *outdir;
	bool resume, list, quiet;
	const char *only; /* comma-separated job names */
	uint32_t jobs;    /* --local: at once; --parallel: per host (0: parallel's default) */
	const char *psp_sim;
	const char *sshloginfile;
	const char *sbatch[MAX_SBATCH_ARGS]; /* --partition=... and --sbatch-arg */
	uint32_t nsbatch;
};

/* A job is small (100 k of them are a few MB): its name, files and command
 * line are made from its cell and shard when needed. */
struct job {
	uint32_t cell, shard;
	int status;    /* exit status when run locally, or -1 */
	bool pending;  /* to run now */
};

/* A job's command line, at most this long (sh -c takes one argument of at
 * most 128 KiB on Linux). */
#define MAX_COMMAND 65536

struct state {
	struct opts o;
	struct sweep sw;
	char outdir[PATH_MAX / 2]; /* leaves room for the files' names in PATH_MAX */
	char psp_sim[PATH_MAX];
	struct job *job;
	uint32_t njobs;
	double start;
	bool tty;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void usage(FILE *out)
{
	fputs(
"usage: psp-sweep SWEEP.yml --local|--parallel|--slurm [options]\n"
"\n"
"Runs every cell of a sweep file (workloads x workers x knob values) as psp-sim\n"
"shard jobs, then merges each cell into DIR/CELL.csv (or .txt, .json: the\n"
"sweep's format:), byte-identical to one unsharded psp-sim run of the cell\n"
"(and, with capacity: true, its capacities into DIR/CELL.capacity.csv).\n"
"\n"
"  --local                  run the jobs on this machine (--jobs at once)\n"
"  --parallel               run them with GNU parallel\n"
"  --slurm                  submit them as one Slurm job array and wait for it\n"
"  -o, --outdir DIR         results directory (default NAME.sweep, NAME the\n"
"                           sweep's name:); shards/ and logs/ go inside\n"
"  --resume                 skip jobs whose shard file exists and verifies\n"
"  --only JOB[,JOB...]      run only these jobs (names as psp-sweep reports them)\n"
"  --list                   print each job's name and command, run nothing\n"
"  -j, --jobs N             --local: jobs at once (default: cores); --parallel:\n"
"                           jobs per machine (default: parallel's, its cores)\n"
"  --psp-sim PATH           the psp-sim to run (default: the one beside psp-sweep)\n"
"  --sshloginfile FILE      --parallel: GNU parallel's list of machines\n"
"  --partition P, --time T, --account A, --sbatch-arg ARG\n"
"                           --slurm: passed to sbatch (--sbatch-arg repeatable)\n"
"  --quiet                  no progress line\n"
"  -h, --help               this text\n"
"      --version            the version\n"
"\n"
"Jobs on other machines need DIR, the workload files and psp-sim at the same\n"
"paths there (a shared file system, as Slurm clusters have).\n"
"Exit status: 0 every job and merge done; 1 a job or merge failed (named on\n"
"stderr; re-run with --resume or --only) or a file could not be written; 2 usage\n"
"or sweep file error, or psp-sim cannot be started.\n", out);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "psp-sweep: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\ntry 'psp-sweep --help'\n");
	va_end(ap);
	return 2;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{"local", no_argument, NULL, OPT_LOCAL},
		{"parallel", no_argument, NULL, OPT_PARALLEL},
		{"slurm", no_argument, NULL, OPT_SLURM},
		{"outdir", required_argument, NULL, 'o'},
		{"resume", no_argument, NULL, OPT_RESUME},
		{"only", required_argument, NULL, OPT_ONLY},
		{"list", no_argument, NULL, OPT_LIST},
		{"jobs", required_argument, NULL, 'j'},
		{"psp-sim", required_argument, NULL, OPT_PSP_SIM},
		{"sshloginfile", required_argument, NULL, OPT_SSHLOGINFILE},
		{"partition", required_argument, NULL, OPT_PARTITION},
		{"time", required_argument, NULL, OPT_TIME},
		{"account", required_argument, NULL, OPT_ACCOUNT},
		{"sbatch-arg", required_argument, NULL, OPT_SBATCH_ARG},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{0},
	};
	static char sb[MAX_SBATCH_ARGS][512];
	memset(o, 0, sizeof(*o));
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":o:j:h", longs, NULL)) != -1) {
		enum mode m = MODE_NONE;
		const char *sbatch_flag = NULL;
		switch (c) {
		case OPT_LOCAL: m = MODE_LOCAL; break;
		case OPT_PARALLEL: m = MODE_PARALLEL; break;
		case OPT_SLURM: m = MODE_SLURM; break;
		case 'o': o->outdir = optarg; break;
		case OPT_RESUME: o->resume = true; break;
		case OPT_ONLY: o->only = optarg; break;
		case OPT_LIST: o->list = true; break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 4096)
				return usage_error("--jobs: expected 1..4096, got '%s'", optarg);
			o->jobs = (uint32_t)v;
			break;
		}
		case OPT_PSP_SIM: o->psp_sim = optarg; break;
		case OPT_SSHLOGINFILE: o->sshloginfile = optarg; break;
		case OPT_PARTITION: sbatch_flag = "--partition"; break;
		case OPT_TIME: sbatch_flag = "--time"; break;
		case OPT_ACCOUNT: sbatch_flag = "--account"; break;
		case OPT_SBATCH_ARG: sbatch_flag = ""; break;
		case OPT_QUIET: o->quiet = true; break;
		case 'h': usage(stdout); return 1;
		case OPT_VERSION: printf("psp-sweep %s\n", PSP_VERSION); return 1;
		case ':': return usage_error("%s needs a value", argv[optind - 1]);
		default: {
			char near[64];
			if (psp_suggest_option(argv[optind - 1], longs, near, sizeof(near)))
				return usage_error("unknown option %s (did you mean %s?)",
						    argv[optind - 1], near);
			return usage_error("unknown option %s", argv[optind - 1]);
		}
		}
		if (m != MODE_NONE) {
			if (o->mode != MODE_NONE && o->mode != m)
				return usage_error("%s", "choose one of --local, --parallel, --slurm");
			o->mode = m;
		}
		if (sbatch_flag) {
			if (o->nsbatch == MAX_SBATCH_ARGS)
				return usage_error("%s", "too many sbatch options");
			snprintf(sb[o->nsbatch], sizeof(sb[0]), "%s%s%s", sbatch_flag,
				 *sbatch_flag ? "=" : "", optarg);
			o->sbatch[o->nsbatch] = sb[o->nsbatch];
			o->nsbatch++;
		}
	}
	if (optind != argc - 1)
		return usage_error("%s", optind == argc ? "needs a sweep file" : "one sweep file only");
	o->sweep_file = argv[optind];
	if (o->mode == MODE_NONE && !o->list)
		return usage_error("%s", "choose one of --local, --parallel, --slurm (or --list)");
	if (o->sshloginfile && o->mode != MODE_PARALLEL)
		return usage_error("%s", "--sshloginfile goes with --parallel");
	if (o->nsbatch && o->mode != MODE_SLURM)
		return usage_error("%s", "--partition, --time, --account and --sbatch-arg go with --slurm");
	return 0;
}

/* s in single quotes for sh, appended to buf; false when it does not fit
 * (buf then holds a cut text that must not be used). */
static bool sh_quote(char *buf, size_t cap, const char *s)
{
	size_t len = strlen(buf);
	bool fits = len + 1 < cap;
	if (fits)
		buf[len++] = '\'';
	for (; *s && fits; s++) {
		if (len + 6 >= cap) {
			fits = false;
		} else if (*s == '\'') {
			memcpy(buf + len, "'\\''", 4);
			len += 4;
		} else {
			buf[len++] = *s;
		}
	}
	fits = fits && len + 1 < cap;
	if (fits)
		buf[len++] = '\'';
	buf[len] = '\0';
	return fits;
}

static bool append(char *buf, size_t cap, const char *s)
{
	size_t len = strlen(buf);
	return snprintf(buf + len, cap - len, "%s", s) < (int)(cap - len);
}

/* The psp-sim beside this program, or --psp-sim's, as an absolute path. */
static int find_psp_sim(struct state *st)
{
	char self[PATH_MAX];
	if (st->o.psp_sim) {
		if (!realpath(st->o.psp_sim, st->psp_sim)) {
			fprintf(stderr, "psp-sweep: --psp-sim %s: %s\n", st->o.psp_sim, strerror(errno));
			return -1;
		}
		return 0;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		snprintf(slash + 1, sizeof(self) - (size_t)(slash + 1 - self), "psp-sim");
		if (access(self, X_OK) == 0) {
			snprintf(st->psp_sim, sizeof(st->psp_sim), "%s", self);
			return 0;
		}
	}
	fprintf(stderr, "psp-sweep: no psp-sim beside %s: give --psp-sim PATH\n", self);
	return -1;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "psp-sweep: cannot create %s: %s\n", path, strerror(errno));
	return -1;
}

/* The psp-sim command of one cell: its flags; false when it does not fit. */
static bool cell_command(const struct state *st, const struct sweep_cell *cell, char *buf,
			 size_t cap)
{
	buf[0] = '\0';
	bool fits = true;
	const char *wp = getenv("PSP_WORKLOAD_PATH");
	if (wp) {
		fits = append(buf, cap, "PSP_WORKLOAD_PATH=") && sh_quote(buf, cap, wp) &&
		       append(buf, cap, " ");
	}
	fits = fits && sh_quote(buf, cap, st->psp_sim);
	for (uint32_t a = 0; a < cell->argc && fits; a++)
		fits = append(buf, cap, " ") && sh_quote(buf, cap, cell->argv[a]);
	return fits;
}

/* "CELL.IofN" */
static void job_name(const struct state *st, const struct job *j, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s.%uof%u", st->sw.cell[j->cell].name, j->shard, st->sw.shards);
}

/* DIR/shards/CELL.IofN.shard and DIR/logs/CELL.IofN.log (sweepfile.h bounds
 * the name, sweep_main the directory: they fit PATH_MAX). */
static const char *shard_path(const struct state *st, const struct job *j, char *buf)
{
	char name[SWEEP_NAME_MAX + 32];
	job_name(st, j, name, sizeof(name));
	snprintf(buf, PATH_MAX, "%s/shards/%s.shard", st->outdir, name);
	return buf;
}

static const char *log_path(const struct state *st, const struct job *j, char *buf)
{
	char name[SWEEP_NAME_MAX + 32];
	job_name(st, j, name, sizeof(name));
	snprintf(buf, PATH_MAX, "%s/logs/%s.log", st->outdir, name);
	return buf;
}

/* Job j's shell command line (jobs.txt, GNU parallel, --list) into buf of
 * MAX_COMMAND bytes; -1 with a message when it is longer. */
static int job_command(const struct state *st, const struct job *j, char *buf)
{
	char tail[96], path[PATH_MAX];
	snprintf(tail, sizeof(tail), " --quiet --jobs 1 --shard %u/%u --output ", j->shard,
		 st->sw.shards);
	if (cell_command(st, &st->sw.cell[j->cell], buf, MAX_COMMAND) &&
	    append(buf, MAX_COMMAND, tail) &&
	    sh_quote(buf, MAX_COMMAND, shard_path(st, j, path)) &&
	    append(buf, MAX_COMMAND, " >") && sh_quote(buf, MAX_COMMAND, log_path(st, j, path)) &&
	    append(buf, MAX_COMMAND, " 2>&1"))
		return 0;
	char name[SWEEP_NAME_MAX + 32];
	job_name(st, j, name, sizeof(name));
	fprintf(stderr, "psp-sweep: job %s: its command line is longer than %d bytes\n", name,
		MAX_COMMAND - 1);
	return -1;
}

static int build_jobs(struct state *st)
{
	uint64_t n = (uint64_t)st->sw.ncells * st->sw.shards; /* <= SWEEP_MAX_JOBS */
	st->job = calloc(n, sizeof(*st->job));
	if (!st->job) {
		fprintf(stderr, "psp-sweep: out of memory for %llu jobs\n", (unsigned long long)n);
		return -1;
	}
	st->njobs = (uint32_t)n;
	for (uint32_t c = 0; c < st->sw.ncells; c++)
		for (uint32_t s = 1; s <= st->sw.shards; s++)
			st->job[(size_t)c * st->sw.shards + s - 1] =
				(struct job){.cell = c, .shard = s, .status = -1};
	return 0;
}

/* Starts argv (execvp) with stdout and stderr sent to the paths given (NULL:
 * ours; the same path for both: one file, as 2>&1).  The child gets
 * deathsig when psp-sweep dies, even by kill -9: SIGKILL for a psp-sim
 * job, SIGTERM for GNU parallel (which then starts no more jobs).  Returns
 * the pid, or -1 with errno the reason it could not start (fork's or
 * exec's: E2BIG, ENOENT...). */
static pid_t spawn(char *const *argv, const char *stdout_path, const char *stderr_path,
		   int deathsig)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		int e = 0;
		if (prctl(PR_SET_PDEATHSIG, deathsig) < 0 || getppid() != parent)
			_exit(127); /* psp-sweep is already gone */
		if (stdout_path && !freopen(stdout_path, "w", stdout))
			e = errno;
		if (!e && stderr_path && stdout_path && !strcmp(stderr_path, stdout_path)) {
			if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0) /* 2>&1 */
				e = errno;
		} else if (!e && stderr_path && !freopen(stderr_path, "w", stderr)) {
			e = errno;
		}
		if (!e) {
			execvp(argv[0], argv);
			e = errno;
		}
		if (write(fds[1], &e, sizeof(e)) != (ssize_t)sizeof(e))
			_exit(126);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		errno = e;
		return -1;
	}
	int e = 0;
	ssize_t got;
	while ((got = read(fds[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (got == (ssize_t)sizeof(e)) { /* exec failed: the child exits 127 */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		errno = e;
		return -1;
	}
	return pid;
}

static int exit_status(int ws)
{
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* Runs argv, waits, returns its exit status, or -1 with errno when it could
 * not start.  stdout_path / stderr_path: NULL keeps ours. */
static int run_wait(char *const *argv, const char *stdout_path, const char *stderr_path)
{
	pid_t pid = spawn(argv, stdout_path, stderr_path, SIGKILL);
	if (pid < 0)
		return -1;
	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	return exit_status(ws);
}

/* The argv of psp-sim with one cell's flags and extra arguments
 * (NULL-terminated), into argv of SWEEP_MAX_ARGS + 16. */
static void psp_sim_argv(const struct state *st, uint32_t c, const char *const *extra,
			 char **argv)
{
	const struct sweep_cell *cell = &st->sw.cell[c];
	uint32_t n = 0;
	argv[n++] = (char *)st->psp_sim;
	for (uint32_t a = 0; a < cell->argc; a++)
		argv[n++] = cell->argv[a];
	for (; *extra && n < SWEEP_MAX_ARGS + 15; extra++)
		argv[n++] = (char *)*extra;
	argv[n] = NULL;
}

static int run_psp_sim(const struct state *st, uint32_t c, const char *const *extra,
		       const char *stdout_path, const char *stderr_path)
{
	char *argv[SWEEP_MAX_ARGS + 16];
	psp_sim_argv(st, c, extra, argv);
	return run_wait(argv, stdout_path, stderr_path);
}

/* psp-sim checks each cell's flags before any job starts: --verify of a
 * shard that does not exist fails with 1 once the flags, workload and
 * policies are accepted, with 2 when they are not. */
static int preflight(const struct state *st)
{
	char none[PATH_MAX + 32], spec[32];
	snprintf(none, sizeof(none), "%s/shards/.preflight-none", st->outdir);
	snprintf(spec, sizeof(spec), "1/%u", st->sw.shards);
	for (uint32_t c = 0; c < st->sw.ncells; c++) {
		const char *extra[] = {"--quiet", "--shard", spec, "--verify", "--output", none, NULL};
		int rc = run_psp_sim(st, c, extra, "/dev/null", "/dev/null");
		if (rc == 2) {
			fprintf(stderr, "psp-sweep: %s: cell %s: psp-sim refuses its flags:\n",
				st->o.sweep_file, st->sw.cell[c].name);
			const char *again[] = {"--quiet", "--shard", spec, "--verify", "--output", none, NULL};
			run_psp_sim(st, c, again, "/dev/null", NULL);
			return -1;
		}
		if (rc < 0) {
			fprintf(stderr, "psp-sweep: cell %s: cannot run %s: %s\n", st->sw.cell[c].name,
				st->psp_sim, strerror(errno));
			return -1;
		}
		if (rc != 1) {
			fprintf(stderr, "psp-sweep: cell %s: %s --verify of no file exited %d, not 1: "
					"is it psp-sim?\n", st->sw.cell[c].name, st->psp_sim, rc);
			return -1;
		}
	}
	return 0;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Whether job j's shard is on disk and is this run's (psp-sim --verify). */
static bool verifies(const struct state *st, const struct job *j)
{
	char path[PATH_MAX];
	if (!exists(shard_path(st, j, path)))
		return false;
	char spec[32];
	snprintf(spec, sizeof(spec), "%u/%u", j->shard, st->sw.shards);
	const char *extra[] = {"--quiet", "--shard", spec, "--verify", "--output", path, NULL};
	return run_psp_sim(st, j->cell, extra, "/dev/null", "/dev/null") == 0;
}

/* Marks the jobs to run: --only's, else all; --resume skips verified ones. */
static int select_jobs(struct state *st, uint32_t *npending)
{
	*npending = 0;
	if (st->o.only) {
		char *list = strdup(st->o.only), *save = NULL;
		if (!list)
			return -1;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			uint32_t i = 0;
			char name[SWEEP_NAME_MAX + 32];
			for (; i < st->njobs; i++) {
				job_name(st, &st->job[i], name, sizeof(name));
				if (!strcmp(name, t))
					break;
			}
			if (i == st->njobs) {
				fprintf(stderr, "psp-sweep: --only: no job named '%s' (--list names them)\n", t);
				free(list);
				return -1;
			}
			st->job[i].pending = true;
		}
		free(list);
	} else {
		for (uint32_t i = 0; i < st->njobs; i++)
			st->job[i].pending = true;
	}
	uint32_t skipped = 0;
	for (uint32_t i = 0; i < st->njobs; i++) {
		struct job *j = &st->job[i];
		if (j->pending && st->o.resume && verifies(st, j)) {
			j->pending = false;
			skipped++;
		}
		if (j->pending) {
			char path[PATH_MAX];
			unlink(shard_path(st, j, path)); /* a stale shard must not pass for this run's */
			(*npending)++;
		}
	}
	if (st->o.resume && !st->o.quiet)
		fprintf(stderr, "psp-sweep: --resume: %u of %u jobs already done\n", skipped,
			st->njobs);
	return 0;
}

static void fmt_time(double s, char *buf, size_t cap)
{
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

/* "psp-sweep: 12/40 jobs done, 1 failed, 0:42 elapsed, ETA 1:50" */
static void progress(const struct state *st, uint32_t done, uint32_t failed, uint32_t total)
{
	if (!st->tty)
		return;
	double el = now_s() - st->start;
	char e[32], eta[48] = "";
	fmt_time(el, e, sizeof(e));
	if (done > 0 && done < total) {
		char t[32];
		fmt_time(el / done * (total - done), t, sizeof(t));
		snprintf(eta, sizeof(eta), ", ETA %s", t);
	}
	char bad[32] = "";
	if (failed)
		snprintf(bad, sizeof(bad), ", %u failed", failed);
	fprintf(stderr, "\rpsp-sweep: %u/%u jobs done%s, %s elapsed%s   ", done, total, bad, e, eta);
}

static void progress_end(const struct state *st)
{
	if (st->tty)
		fprintf(stderr, "\r%78s\r", "");
}

/* Pending jobs whose shard file is now on disk. */
static uint32_t count_done(const struct state *st)
{
	uint32_t n = 0;
	char path[PATH_MAX];
	for (uint32_t i = 0; i < st->njobs; i++)
		n += st->job[i].pending && exists(shard_path(st, &st->job[i], path));
	return n;
}

static void nap(double s)
{
	struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&t, NULL);
}

static int run_local(struct state *st, uint32_t total)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t width = st->o.jobs ? st->o.jobs : (cores > 0 ? (uint32_t)cores : 1);
	pid_t *pid = calloc(st->njobs, sizeof(*pid));
	if (!pid)
		return -1;
	uint32_t next = 0, running = 0, done = 0, failed = 0;
	for (;;) {
		while (running < width && next < st->njobs) {
			struct job *j = &st->job[next];
			if (j->pending) {
				/* psp-sim itself (no shell between): it dies with us */
				char spec[32], path[PATH_MAX], log[PATH_MAX];
				snprintf(spec, sizeof(spec), "%u/%u", j->shard, st->sw.shards);
				const char *extra[] = {"--quiet", "--jobs", "1", "--shard", spec,
						       "--output", shard_path(st, j, path), NULL};
				char *argv[SWEEP_MAX_ARGS + 16];
				psp_sim_argv(st, j->cell, extra, argv);
				pid[next] = spawn(argv, log_path(st, j, log), log, SIGKILL);
				if (pid[next] < 0) {
					char name[SWEEP_NAME_MAX + 32];
					job_name(st, j, name, sizeof(name));
					fprintf(stderr, "psp-sweep: job %s: cannot run %s: %s\n", name,
						st->psp_sim, strerror(errno));
					j->status = 127, failed++;
				} else {
					running++;
				}
			}
			next++;
		}
		if (running == 0)
			break;
		int ws;
		pid_t p = waitpid(-1, &ws, WNOHANG);
		if (p <= 0) {
			progress(st, done + failed, failed, total);
			nap(0.1);
			continue;
		}
		for (uint32_t i = 0; i < st->njobs; i++)
			if (pid[i] == p && st->job[i].pending) {
				st->job[i].status = exit_status(ws);
				pid[i] = 0;
				if (st->job[i].status == 0)
					done++;
				else
					failed++;
			}
		running--;
		progress(st, done + failed, failed, total);
	}
	free(pid);
	return 0;
}

/* The jobs' command lines, one a line (all: jobs.txt, Slurm's; the pending
 * ones: GNU parallel's input), every write checked. */
static int write_commands(const struct state *st, const char *path, bool pending_only)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "psp-sweep: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *cmd = malloc(MAX_COMMAND);
	int rc = cmd ? 0 : -1;
	for (uint32_t i = 0; i < st->njobs && rc == 0; i++)
		if (!pending_only || st->job[i].pending) {
			rc = job_command(st, &st->job[i], cmd);
			if (rc == 0 && fprintf(f, "%s\n", cmd) < 0)
				rc = -2;
		}
	free(cmd);
	if (ferror(f) && rc == 0)
		rc = -2;
	errno = 0;
	if ((fclose(f) != 0 || rc == -2) && rc != -1) {
		fprintf(stderr, "psp-sweep: cannot write %s: %s\n", path,
			strerror(errno ? errno : EIO));
		rc = -1;
	}
	return rc;
}

/* Waits for child pid, showing how many shards have appeared. */
static int watch_child(struct state *st, pid_t pid, uint32_t total)
{
	for (;;) {
		int ws;
		pid_t p = waitpid(pid, &ws, WNOHANG);
		if (p == pid)
			return exit_status(ws);
		if (p < 0 && errno != EINTR)
			return -1;
		progress(st, count_done(st), 0, total);
		nap(0.25);
	}
}

static int run_parallel(struct state *st, uint32_t total)
{
	char input[PATH_MAX + 32], joblog[PATH_MAX + 32], jobs[32];
	snprintf(input, sizeof(input), "%s/parallel.jobs", st->outdir);
	snprintf(joblog, sizeof(joblog), "%s/logs/parallel.joblog", st->outdir);
	if (write_commands(st, input, true) < 0)
		return -1;
	char *argv[16];
	int n = 0;
	argv[n++] = "parallel";
	argv[n++] = "--will-cite";
	argv[n++] = "--joblog";
	argv[n++] = joblog;
	if (st->o.jobs) {
		snprintf(jobs, sizeof(jobs), "-j%u", st->o.jobs);
		argv[n++] = jobs;
	}
	if (st->o.sshloginfile) {
		argv[n++] = "--sshloginfile";
		argv[n++] = (char *)st->o.sshloginfile;
	}
	argv[n++] = "-a";
	argv[n++] = input;
	argv[n] = NULL;
	pid_t pid = spawn(argv, NULL, NULL, SIGTERM);
	if (pid < 0) {
		fprintf(stderr, "psp-sweep: cannot run GNU parallel: %s (Debian: apt-get install parallel)\n",
			strerror(errno));
		return -1;
	}
	watch_child(st, pid, total);
	return 0;
}

/* "1-3,5,7-9": the pending jobs' 1-based indices (lines of jobs.txt). */
static char *array_spec(const struct state *st)
{
	size_t cap = (size_t)st->njobs * 12 + 16, len = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (uint32_t i = 0; i < st->njobs;) {
		if (!st->job[i].pending) {
			i++;
			continue;
		}
		uint32_t e = i;
		while (e + 1 < st->njobs && st->job[e + 1].pending)
			e++;
		len += (size_t)snprintf(s + len, cap - len, "%s%u", len ? "," : "", i + 1);
		if (e > i)
			len += (size_t)snprintf(s + len, cap - len, "-%u", e + 1);
		i = e + 1;
	}
	return s;
}

/* Output of a command into buf (first line), its exit status returned. */
static int capture(char *const *argv, char *buf, size_t cap)
{
	char tmp[] = "/tmp/psp-sweep.XXXXXX";
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	close(fd);
	int rc = run_wait(argv, tmp, NULL);
	FILE *f = fopen(tmp, "r");
	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)cap, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	unlink(tmp);
	return rc;
}

static int run_slurm(struct state *st, uint32_t total)
{
	char script[PATH_MAX + 32], jobs_txt[PATH_MAX + 32];
	snprintf(script, sizeof(script), "%s/sweep.sbatch", st->outdir);
	snprintf(jobs_txt, sizeof(jobs_txt), "%s/jobs.txt", st->outdir);
	FILE *f = fopen(script, "w");
	if (!f) {
		fprintf(stderr, "psp-sweep: cannot write %s: %s\n", script, strerror(errno));
		return -1;
	}
	char q[PATH_MAX + 64] = "";
	sh_quote(q, sizeof(q), jobs_txt);
	fprintf(f, "#!/bin/sh\n# psp-sweep: array task K runs line K of jobs.txt\n"
		   "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" %s)\nexec /bin/sh -c \"$line\"\n", q);
	bool bad = ferror(f);
	errno = 0;
	if (fclose(f) != 0 || bad) {
		fprintf(stderr, "psp-sweep: cannot write %s: %s\n", script,
			strerror(errno ? errno : EIO));
		return -1;
	}
	char *spec = array_spec(st);
	char name[160], out[PATH_MAX + 64];
	if (!spec)
		return -1;
	char *arr = malloc(strlen(spec) + 16);
	if (!arr) {
		free(spec);
		return -1;
	}
	sprintf(arr, "--array=%s", spec);
	snprintf(name, sizeof(name), "--job-name=psp-sweep-%s", st->sw.name);
	snprintf(out, sizeof(out), "--output=%s/logs/slurm-%%A_%%a.out", st->outdir);
	char *argv[MAX_SBATCH_ARGS + 16];
	int n = 0;
	argv[n++] = "sbatch";
	argv[n++] = "--parsable";
	argv[n++] = name;
	argv[n++] = out;
	argv[n++] = "--ntasks=1";
	argv[n++] = "--cpus-per-task=1";
	argv[n++] = arr;
	for (uint32_t i = 0; i < st->o.nsbatch; i++)
		argv[n++] = (char *)st->o.sbatch[i];
	argv[n++] = script;
	argv[n] = NULL;
	char id[128];
	int rc = capture(argv, id, sizeof(id));
	free(spec);
	free(arr);
	if (rc != 0 || !id[0]) {
		if (rc < 0)
			fprintf(stderr, "psp-sweep: cannot run sbatch: %s\n", strerror(errno));
		else
			fprintf(stderr, "psp-sweep: sbatch failed (status %d): is Slurm running? "
					"(tools/slurm-single-node.sh starts one on this machine)\n", rc);
		return -1;
	}
	id[strcspn(id, ";")] = '\0'; /* "ID;cluster" */
	if (!st->o.quiet)
		fprintf(stderr, "psp-sweep: Slurm job %s, %u array tasks (cancel: scancel %s)\n", id,
			total, id);
	/* Wait until the job leaves the queue; count shards meanwhile. */
	char *sq[] = {"squeue", "--noheader", "--format=%i", "--jobs", id, NULL};
	double last = 0;
	for (;;) {
		progress(st, count_done(st), 0, total);
		if (now_s() - last >= 2) {
			char line[256];
			last = now_s();
			int s = capture(sq, line, sizeof(line));
			if (s != 0 || !line[0])
				break; /* gone: finished (or purged) */
		}
		nap(0.25);
	}
	return 0;
}

/* Merges the cells whose shards are all on disk; returns how many failed. */
static uint32_t merge_cells(const struct state *st, uint32_t *merged)
{
	const char *ext = !strcmp(st->sw.format, "table") ? "txt" : st->sw.format;
	uint32_t failed = 0;
	*merged = 0;
	for (uint32_t c = 0; c < st->sw.ncells; c++) {
		const struct job *first = &st->job[(size_t)c * st->sw.shards];
		bool complete = true;
		char path[PATH_MAX];
		for (uint32_t s = 0; s < st->sw.shards && complete; s++)
			complete = exists(shard_path(st, &first[s], path));
		if (!complete)
			continue;
		char out[PATH_MAX + 64], log[PATH_MAX + 64], slo[PATH_MAX + 64];
		snprintf(out, sizeof(out), "%s/%s.%s", st->outdir, st->sw.cell[c].name, ext);
		snprintf(slo, sizeof(slo), "%s/%s.capacity.csv", st->outdir, st->sw.cell[c].name);
		snprintf(log, sizeof(log), "%s/logs/%s.merge.log", st->outdir, st->sw.cell[c].name);
		char **argv = calloc(st->sw.shards + 16, sizeof(*argv));
		char *paths = malloc((size_t)st->sw.shards * PATH_MAX);
		if (!argv || !paths) {
			free(argv);
			free(paths);
			return failed + 1;
		}
		uint32_t n = 0;
		argv[n++] = (char *)st->psp_sim;
		argv[n++] = "--merge";
		argv[n++] = "--quiet";
		argv[n++] = "--format";
		argv[n++] = (char *)st->sw.format;
		argv[n++] = "--output";
		argv[n++] = out;
		if (st->sw.capacity) {
			argv[n++] = "--slo-output";
			argv[n++] = slo;
		}
		for (uint32_t s = 0; s < st->sw.shards; s++)
			argv[n++] = (char *)shard_path(st, &first[s], paths + (size_t)s * PATH_MAX);
		argv[n] = NULL;
		int rc = run_wait(argv, NULL, log);
		free(argv);
		free(paths);
		if (rc < 0) {
			fprintf(stderr, "psp-sweep: merging %s: cannot run %s: %s\n",
				st->sw.cell[c].name, st->psp_sim, strerror(errno));
			failed++;
		} else if (rc != 0) {
			fprintf(stderr, "psp-sweep: merging %s failed (log: %s)\n", st->sw.cell[c].name,
				log);
			failed++;
		} else {
			(*merged)++;
		}
	}
	return failed;
}

static int write_jobs_txt(const struct state *st)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/jobs.txt", st->outdir);
	return write_commands(st, path, false);
}

/* --list: each job's name and command on stdout, every write checked. */
static int list_jobs(const struct state *st)
{
	char *cmd = malloc(MAX_COMMAND), name[SWEEP_NAME_MAX + 32];
	int rc = cmd ? 0 : -1;
	for (uint32_t i = 0; i < st->njobs && rc == 0; i++) {
		rc = job_command(st, &st->job[i], cmd);
		job_name(st, &st->job[i], name, sizeof(name));
		if (rc == 0 && printf("%s: %s\n", name, cmd) < 0)
			rc = -2;
	}
	free(cmd);
	if (rc != -1 && (fflush(stdout) != 0 || ferror(stdout) || rc == -2)) {
		fprintf(stderr, "psp-sweep: cannot write the list to stdout: %s\n",
			strerror(errno ? errno : EIO));
		rc = -1;
	}
	return rc;
}

static int sweep_main(struct state *st)
{
	struct psp_err err;
	if (sweep_load(st->o.sweep_file, &st->sw, &err) < 0) {
		char buf[1024];
		fprintf(stderr, "psp-sweep: %s\n", psp_err_format(&err, buf, sizeof(buf)));
		return 2;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", st->o.outdir ? st->o.outdir : st->sw.name);
	if (!st->o.outdir)
		append(dir, sizeof(dir), ".sweep");
	if (find_psp_sim(st) < 0)
		return 2;
	char full[PATH_MAX + 8];
	if (st->o.list) { /* creates nothing */
		char cwd[PATH_MAX];
		if (dir[0] != '/' && !getcwd(cwd, sizeof(cwd)))
			return 2;
		if (snprintf(full, sizeof(full), "%s%s%s", dir[0] == '/' ? "" : cwd,
			     dir[0] == '/' ? "" : "/", dir) >= (int)sizeof(full))
			full[sizeof(st->outdir)] = '\0'; /* refused as too long below */
	} else if (make_dir(dir) < 0 || !realpath(dir, full)) {
		return 2;
	}
	if (strlen(full) >= sizeof(st->outdir)) {
		fprintf(stderr, "psp-sweep: the results directory's path is too long (at most %zu)\n",
			sizeof(st->outdir) - 1);
		return 2;
	}
	memcpy(st->outdir, full, strlen(full) + 1);
	if (st->o.list) {
		if (build_jobs(st) < 0)
			return 2;
		return list_jobs(st) < 0 ? 1 : 0;
	}
	char sub[PATH_MAX + 16];
	snprintf(sub, sizeof(sub), "%s/shards", st->outdir);
	if (make_dir(sub) < 0)
		return 2;
	snprintf(sub, sizeof(sub), "%s/logs", st->outdir);
	if (make_dir(sub) < 0 || build_jobs(st) < 0)
		return 2;
	if (write_jobs_txt(st) < 0)
		return 1;
	if (preflight(st) < 0)
		return 2;
	uint32_t pending;
	if (select_jobs(st, &pending) < 0)
		return 2;
	st->tty = !st->o.quiet && isatty(STDERR_FILENO);
	st->start = now_s();
	int rc = 0;
	if (pending > 0) {
		if (st->o.mode == MODE_LOCAL)
			rc = run_local(st, pending);
		else if (st->o.mode == MODE_PARALLEL)
			rc = run_parallel(st, pending);
		else
			rc = run_slurm(st, pending);
	}
	progress_end(st);
	if (rc < 0)
		return 1;
	uint32_t lost = 0;
	for (uint32_t i = 0; i < st->njobs; i++) {
		struct job *j = &st->job[i];
		char path[PATH_MAX], name[SWEEP_NAME_MAX + 32];
		if (!j->pending || exists(shard_path(st, j, path)))
			continue;
		if (lost++ == 0)
			fprintf(stderr, "psp-sweep: jobs that failed or were lost:\n");
		job_name(st, j, name, sizeof(name));
		if (j->status > 0)
			fprintf(stderr, "  %s: exit status %d (log: %s)\n", name, j->status,
				log_path(st, j, path));
		else
			fprintf(stderr, "  %s: no shard written (log: %s)\n", name,
				log_path(st, j, path));
	}
	if (lost)
		fprintf(stderr, "psp-sweep: re-run them alone with --only NAME[,NAME...], or all "
				"that are missing with --resume\n");
	uint32_t merged;
	uint32_t bad = merge_cells(st, &merged);
	if (!st->o.quiet)
		fprintf(stderr, "psp-sweep: %u of %u jobs done%s, %u of %u cells merged into %s\n",
			pending - lost, pending, st->o.resume ? " (this time)" : "", merged,
			st->sw.ncells, st->outdir);
	return lost || bad || merged < st->sw.ncells ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct state st;
	int rc = parse_args(argc, argv, &st.o);
	if (rc)
		return rc == 1 ? 0 : rc;
	rc = sweep_main(&st);
	free(st.job);
	sweep_free(&st.sw);
	return rc;
}
