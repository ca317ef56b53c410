package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the live service's Prometheus metrics (served on /metrics).
// prometheus/client_golang is the reference implementation of the
// exposition format, with cheap lock-free counters.
type Metrics struct {
	Registry *prometheus.Registry

	// Inputs.
	Received    *prometheus.CounterVec // records or bodies received, by input
	Bytes       *prometheus.CounterVec // bytes received, by input
	Refused     *prometheus.CounterVec // by input and reason (busy, too_large, rate, auth, connections)
	Connections *prometheus.GaugeVec   // open connections, by input

	// Pipeline.
	Parsed      *prometheus.CounterVec // events, by input and log type
	Rejected    *prometheus.CounterVec // records that did not parse, by input
	RuleErrors  *prometheus.CounterVec // by rule
	Alerts      *prometheus.CounterVec // alerts raised, by rule
	Lag         prometheus.Gauge       // seconds between receiving the last processed entry and processing it
	Commits     prometheus.Histogram   // lake commit durations
	Generation  prometheus.Gauge       // the detections' generation
	ActiveRules prometheus.Gauge

	// Correlation rules' state (set once a tick, since the last activation).
	CorrelationHeld    prometheus.Gauge // matches held
	CorrelationKeys    prometheus.Gauge // keys held
	CorrelationBytes   prometheus.Gauge // estimated bytes of that state
	CorrelationDropped prometheus.Gauge // keys and matches dropped by the caps

	// FirstSeen rules' history (set once a tick, since start).
	FirstSeenValues  prometheus.Gauge // values held
	FirstSeenDropped prometheus.Gauge // keys and values dropped by the caps
}

// NewMetrics registers the metrics in a new registry, with the Go and
// process collectors.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Received: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "panther_ingest_received_total",
			Help: "Records (syslog, Kafka) or request bodies (HTTP) received, by input."}, []string{"input"}),
		Bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "panther_ingest_bytes_total",
			Help: "Bytes received, by input."}, []string{"input"}),
		Refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "panther_ingest_refused_total",
			Help: "Requests, records or connections refused, by input and reason."}, []string{"input", "reason"}),
		Connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "panther_ingest_connections",
			Help: "Open connections, by input."}, []string{"input"}),
		Parsed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "panther_events_parsed_total",
			Help: "Events parsed and normalised, by input and log type."}, []string{"input", "log_type"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "panther_events_rejected_total",
			Help: "Records that could not be parsed (dead letters), by input."}, []string{"input"}),
		RuleErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "panther_rule_errors_total",
			Help: "Rule errors (an error or a timeout of rule()), by rule."}, []string{"rule"}),
		Alerts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "panther_alerts_raised_total",
			Help: "Alerts raised (their threshold reached), by rule."}, []string{"rule"}),
		Lag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_pipeline_lag_seconds",
			Help: "Time from receiving the entry last processed to processing it."}),
		Commits: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "panther_lake_commit_seconds",
			Help: "Duration of lake commits.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}),
		Generation: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_detections_generation",
			Help: "Counts changes of the active pack versions since start."}),
		ActiveRules: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_detections_active_rules",
			Help: "Rules running (union of the active pack versions)."}),
		CorrelationHeld: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_correlation_matches_held",
			Help: "Rule matches the correlation rules hold (capped per rule)."}),
		CorrelationKeys: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_correlation_keys",
			Help: "Keys the correlation rules hold (capped per rule by an LRU)."}),
		CorrelationBytes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_correlation_state_bytes",
			Help: "Estimated memory of the correlation rules' state."}),
		CorrelationDropped: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_correlation_dropped",
			Help: "Keys and matches the correlation rules dropped by their caps since the last activation."}),
		FirstSeenValues: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_first_seen_values",
			Help: "Values the FirstSeen rules hold in their histories (capped per key and per rule)."}),
		FirstSeenDropped: prometheus.NewGauge(prometheus.GaugeOpts{Name: "panther_first_seen_dropped",
			Help: "Keys and values the FirstSeen rules dropped by their caps since start (a dropped value is new again)."}),
	}
	r.MustRegister(m.Received, m.Bytes, m.Refused, m.Connections, m.Parsed, m.Rejected, m.RuleErrors, m.Alerts,
		m.Lag, m.Commits, m.Generation, m.ActiveRules,
		m.CorrelationHeld, m.CorrelationKeys, m.CorrelationBytes, m.CorrelationDropped,
		m.FirstSeenValues, m.FirstSeenDropped,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// WatchJournal adds gauges read from the journal at each scrape: queue
// depth, write-ahead log size and syncs.
func (m *Metrics) WatchJournal(j *Journal) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "panther_queue_entries", Help: "Entries waiting for the pipeline."},
			func() float64 { n, _ := j.Depth(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "panther_queue_bytes", Help: "Bytes of entries queued or in the pipeline."},
			func() float64 { _, b := j.Depth(); return float64(b) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "panther_wal_bytes", Help: "Size of the write-ahead log on disk."},
			func() float64 { return float64(j.WAL().Stats().Bytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "panther_wal_segments", Help: "Segments of the write-ahead log."},
			func() float64 { return float64(j.WAL().Stats().Segments) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "panther_wal_fsyncs_total", Help: "fsyncs of the write-ahead log (each covers a group of entries)."},
			func() float64 { return float64(j.WAL().Stats().Syncs) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "panther_wal_fsync_seconds_total", Help: "Time spent writing and syncing the write-ahead log."},
			func() float64 { return j.WAL().Stats().SyncTime.Seconds() }),
	)
}
