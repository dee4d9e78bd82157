package httpapi

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/custaccess/custaccess/store"
)

// HTTPMetrics are the request metrics; each server has a registry of its own.
type HTTPMetrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func NewHTTPMetrics(db *store.Store) *HTTPMetrics {
	m := &HTTPMetrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "custaccess_http_requests_total",
			Help: "HTTP requests answered, by operation (operationId) and status.",
		}, []string{"operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "custaccess_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by operation (operationId).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "custaccess_http_requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.registry.MustRegister(poolCollector{db: db})
	}
	return m
}

func (m *HTTPMetrics) observe(operation string, status int, latency time.Duration) {
	m.requests.WithLabelValues(operation, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(operation).Observe(latency.Seconds())
}

// poolCollector reports the database connection pool, read once per scrape.
type poolCollector struct{ db *store.Store }

var (
	poolConnections = prometheus.NewDesc("custaccess_db_connections",
		"Connections of the database pool, by state (in_use, idle), and the pool's bound (max_open).", []string{"state"}, nil)
	poolWaits = prometheus.NewDesc("custaccess_db_wait_total",
		"Times a query waited for a free connection of the pool.", nil, nil)
	poolWaitSeconds = prometheus.NewDesc("custaccess_db_wait_seconds_total",
		"Time queries spent waiting for a free connection of the pool.", nil, nil)
	groupCommits = prometheus.NewDesc("custaccess_db_group_commits_total",
		"COMMITs of SQLite's write groups (several writes to a COMMIT); not reported on PostgreSQL.", nil, nil)
	groupWrites = prometheus.NewDesc("custaccess_db_group_writes_total",
		"Writes those COMMITs carried; divided by the COMMITs, the writes per COMMIT.", nil, nil)
)

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolConnections
	ch <- poolWaits
	ch <- poolWaitSeconds
	ch <- groupCommits
	ch <- groupWrites
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	stats := p.db.PoolStats()
	ch <- prometheus.MustNewConstMetric(poolConnections, prometheus.GaugeValue, float64(stats.InUse), "in_use")
	ch <- prometheus.MustNewConstMetric(poolConnections, prometheus.GaugeValue, float64(stats.Idle), "idle")
	ch <- prometheus.MustNewConstMetric(poolConnections, prometheus.GaugeValue, float64(stats.MaxOpenConnections), "max_open")
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(stats.WaitCount))
	ch <- prometheus.MustNewConstMetric(poolWaitSeconds, prometheus.CounterValue, stats.WaitDuration.Seconds())
	if p.db.Dialect() == store.SQLite {
		commits, writes := p.db.WriteGroupStats()
		ch <- prometheus.MustNewConstMetric(groupCommits, prometheus.CounterValue, float64(commits))
		ch <- prometheus.MustNewConstMetric(groupWrites, prometheus.CounterValue, float64(writes))
	}
}
