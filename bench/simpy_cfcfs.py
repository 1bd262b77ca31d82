"""The model bench-sim measures, in SimPy 2 (Debian's python3-simpy): c-FCFS
on high-bimodal (SHORT 1 us and LONG 100 us, constant, half each; Poisson
arrivals), 14 workers, load 0.9.  One central FIFO: SimPy's Resource with
14 units queues requesters first come, first served, and a free unit goes
to the head, as psp-sim's cfcfs.

    python3 bench/simpy_cfcfs.py [REQUESTS [SEED]]

Prints one line: requests, CPU seconds of the simulation (process time,
building the model included), requests per CPU second, and the mean
latency over the requests after the first 10% (psp-sim's default warm-up),
for a sanity check against psp-sim's on the same model."""
import random
import sys
import time

from SimPy.Simulation import (Process, Resource, activate, hold, initialize, now, release,
                              request, simulate)

WORKERS = 14
LOAD = 0.9
MEAN_US = 0.5 * 1 + 0.5 * 100


class Request(Process):
    def run(self, server, service_us, latencies, measured):
        start = now()
        yield request, self, server
        yield hold, self, service_us
        yield release, self, server
        if measured:
            latencies.append(now() - start)


class Source(Process):
    def run(self, n, server, rng, latencies):
        rate = LOAD * WORKERS / MEAN_US  # per us
        warmup = n // 10
        for i in range(n):
            r = Request()
            service = 1.0 if rng.random() < 0.5 else 100.0
            activate(r, r.run(server, service, latencies, i >= warmup))
            yield hold, self, rng.expovariate(rate)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    latencies = []
    t0 = time.process_time()
    initialize()
    server = Resource(capacity=WORKERS)  # FIFO queue by default
    src = Source()
    activate(src, src.run(n, server, rng, latencies))
    simulate(until=1e18)
    cpu = time.process_time() - t0
    print("simpy %d requests  cpu %.3f s  %.4f M requests/s  mean latency %.3f us"
          % (n, cpu, n / cpu / 1e6, sum(latencies) / len(latencies)))


if __name__ == "__main__":
    main()
