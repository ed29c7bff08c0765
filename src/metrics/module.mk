# metrics: the daemon's counters, gauges and histograms (a fixed catalog with
# bounded labels), kept in a shared-memory segment the parent creates before
# it forks (one slot per process, summed for a scrape), and their Prometheus
# text exposition. No third-party library.
metrics_DEPS := core
metrics_LIBS :=
