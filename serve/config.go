package serve

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"panther/ingest/kafka"
	"panther/ingest/syslog"
)

// ParseSyslog reads a syslog listener spec, the form of the --syslog flag
// and of the serve_syslog setting:
//
//	NAME=NETWORK://HOST:PORT[?key=value&...]
//
// NETWORK is tcp, tls or udp; keys are log_type, label, framing
// (auto, lf, octet-counting), tls_cert, tls_key, tls_client_ca,
// max_message (bytes), max_connections, idle_timeout (a duration) and
// plaintext (true: needed for tcp and udp).
//
//	dmz=tls://0.0.0.0:6514?tls_cert=/etc/panther/cert.pem&tls_key=/etc/panther/key.pem&tls_client_ca=/etc/panther/ca.pem&label=dmz
//	lab=udp://127.0.0.1:5514?plaintext=true&log_type=Syslog.RFC3164
func ParseSyslog(spec string) (syslog.Config, error) {
	var c syslog.Config
	name, rest, ok := strings.Cut(spec, "=")
	if !ok || name == "" || strings.ContainsAny(name, "/:?&") {
		return c, fmt.Errorf("syslog listener %q: write NAME=NETWORK://HOST:PORT?options (tls://0.0.0.0:6514?tls_cert=...&tls_key=...)", spec)
	}
	u, err := url.Parse(rest)
	if err != nil || u.Host == "" {
		return c, fmt.Errorf("syslog listener %s: %q is not NETWORK://HOST:PORT", name, rest)
	}
	c.Name, c.Network, c.Addr = name, u.Scheme, u.Host
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		var err error
		switch k {
		case "log_type":
			c.LogType = v
		case "label":
			c.Label = v
		case "framing":
			c.Framing = v
		case "tls_cert":
			c.CertFile = v
		case "tls_key":
			c.KeyFile = v
		case "tls_client_ca":
			c.ClientCA = v
		case "max_message":
			c.MaxMessage, err = strconv.Atoi(v)
		case "max_connections":
			c.MaxConnections, err = strconv.Atoi(v)
		case "idle_timeout":
			c.IdleTimeout, err = time.ParseDuration(v)
		case "plaintext":
			c.Plaintext, err = strconv.ParseBool(v)
		default:
			return c, fmt.Errorf("syslog listener %s: unknown option %q (log_type, label, framing, tls_cert, tls_key, tls_client_ca, max_message, max_connections, idle_timeout, plaintext)", name, k)
		}
		if err != nil {
			return c, fmt.Errorf("syslog listener %s: %s=%q: %v", name, k, v, err)
		}
	}
	return c, c.Check()
}

// ParseKafka reads a Kafka input spec, the form of the --kafka flag and of
// the serve_kafka setting:
//
//	NAME=kafka://BROKER[,BROKER...]?topics=T1,T2&group=G[&log_type=X][&label=Y][&from=oldest][&max_record=BYTES]
func ParseKafka(spec string) (kafka.Config, error) {
	var c kafka.Config
	name, rest, ok := strings.Cut(spec, "=")
	if !ok || name == "" || !strings.HasPrefix(rest, "kafka://") {
		return c, fmt.Errorf("kafka input %q: write NAME=kafka://BROKER,BROKER?topics=T&group=G", spec)
	}
	hosts, query, _ := strings.Cut(strings.TrimPrefix(rest, "kafka://"), "?")
	c.Name, c.Brokers = name, kafka.ParseBrokers(hosts)
	q, err := url.ParseQuery(query)
	if err != nil {
		return c, fmt.Errorf("kafka input %s: %v", name, err)
	}
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "topics":
			c.Topics = kafka.ParseBrokers(v)
		case "group":
			c.Group = v
		case "log_type":
			c.LogType = v
		case "label":
			c.Label = v
		case "from":
			if v != "oldest" && v != "newest" {
				return c, fmt.Errorf("kafka input %s: from=%q: oldest or newest", name, v)
			}
			c.FromOldest = v == "oldest"
		case "max_record":
			if c.MaxRecord, err = strconv.Atoi(v); err != nil {
				return c, fmt.Errorf("kafka input %s: max_record=%q: %v", name, v, err)
			}
		default:
			return c, fmt.Errorf("kafka input %s: unknown option %q (topics, group, log_type, label, from, max_record)", name, k)
		}
	}
	return c, c.Check()
}
