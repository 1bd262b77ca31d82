/* psp-client's verdict (verdict.h).
 *
 * The offered load is the measured requests sent over the measured window,
 * from the first measured send to the end of sending; the load answered is
 * those of them whose reply arrived within that same window.  Both rates
 * are over the one window, so OVERLOADED is exactly "achieved_rps below
 * 99.9% of offered_rps" as printed.  The window ends when sending ends, not
 * at the last reply: one late reply is one request short, not the whole
 * window stretched by its latency (which made a server that kept up read as
 * overloaded whenever the last reply was a few ms late), and a server whose
 * backlog drains only after the end is overloaded even though it answers
 * everything in the end. */
#include "verdict.h"

void cli_verdict_compute(const struct cli_counts *c, struct cli_verdict *v)
{
	double window_s = c->send_end_ns > c->first_send_ns
				  ? (double)(c->send_end_ns - c->first_send_ns) / 1e9
				  : 0;
	v->offered_rps = window_s > 0 ? (double)c->sent / window_s : 0;
	v->achieved_rps = window_s > 0 ? (double)c->answered_in_window / window_s : 0;
	if (c->sent == 0) {
		v->kind = CLI_NOT_JUDGED;
		return;
	}
	if ((double)c->answered < 0.999 * (double)c->sent) {
		v->kind = CLI_OVERLOADED; /* not even answered by the timeout */
		return;
	}
	bool short_in_window = v->achieved_rps < 0.999 * v->offered_rps;
	if (short_in_window && c->sent < CLI_VERDICT_MIN_REQUESTS)
		v->kind = CLI_NOT_JUDGED; /* 0.1% is less than one request */
	else
		v->kind = short_in_window ? CLI_OVERLOADED : CLI_FINE;
}

bool cli_generator_limited(uint64_t late_p99_ns, uint64_t latency_p99_ns)
{
	return (double)late_p99_ns > CLI_GENERATOR_LIMIT * (double)latency_p99_ns;
}
