/* What the dispatcher does when it has nothing to do (dispatcher_idle):
 *   spin   poll back to back (with idle_backoff's yield or usleep, if
 *          enabled), as on a dedicated core;
 *   sleep  poll for dispatcher_sleep_after_us while the engine holds no
 *          request (nothing received, none queued, running or unreported),
 *          then sleep in timed waits of dispatcher_sleep_us, polling once
 *          after each, until a frame or a completion arrives.  A request
 *          that arrives while the dispatcher sleeps waits up to one wait
 *          (plus the kernel's wake-up) before it is received: that bound is
 *          the mode's cost in latency.  The waits are clock_nanosleep with
 *          the dispatcher thread's timer slack set to 1 ns (the kernel's
 *          default of 50 us would stretch every wait by up to that);
 *   auto   sleep when the polling lcores share CPUs (cpu_share.h), else
 *          spin.
 * Timed waits, not DPDK's Rx interrupts: memif and tap in DPDK 22.11 offer
 * the engine none (memif: rte_eth_dev_rx_intr_ctl_q, tap:
 * rte_eth_dev_rx_intr_enable return -ENOTSUP), so a bounded sleep is the
 * only way to give the CPU back while no frame comes.
 * Nothing in flight is the rule because a request the engine holds may need
 * the dispatcher at any moment: a completion frees a worker for the next
 * request, and ts/concord's slices are timed by the dispatcher.
 */
#ifndef PSP_ENGINE_DISP_IDLE_H
#define PSP_ENGINE_DISP_IDLE_H

enum disp_idle_mode { DISP_IDLE_SPIN, DISP_IDLE_SLEEP, DISP_IDLE_AUTO, DISP_IDLE_NMODES };
/* In config.c (the config loader builds without DPDK). */
extern const char *const disp_idle_names[DISP_IDLE_NMODES];

#endif
