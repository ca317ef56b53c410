package serve_test

import (
	"strings"
	"testing"
	"time"

	"panther/serve"
)

func TestParseSpecs(t *testing.T) {
	c, err := serve.ParseSyslog("dmz=tls://0.0.0.0:6514?tls_cert=c.pem&tls_key=k.pem&tls_client_ca=ca.pem&label=dmz&framing=octet-counting&idle_timeout=1m")
	if err != nil || c.Name != "dmz" || c.Network != "tls" || c.Addr != "0.0.0.0:6514" || c.ClientCA != "ca.pem" || c.Label != "dmz" || c.IdleTimeout != time.Minute || c.LogType != "Syslog.RFC5424" {
		t.Fatalf("%+v %v", c, err)
	}
	for spec, want := range map[string]string{
		"lab=tcp://127.0.0.1:5514":                 "plaintext: true",
		"lab=udp://127.0.0.1:5514?plaintext=yes":   `plaintext="yes"`,
		"lab=tls://127.0.0.1:6514":                 "tls needs tls_cert and tls_key",
		"lab=tcp://127.0.0.1:5514?colour=blue":     `unknown option "colour"`,
		"tcp://127.0.0.1:5514":                     "NAME=NETWORK://HOST:PORT",
		"lab=sctp://127.0.0.1:5514?plaintext=true": `network "sctp"`,
	} {
		if _, err := serve.ParseSyslog(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", spec, err, want)
		}
	}
	k, err := serve.ParseKafka("logs=kafka://b1:9092,b2:9092?topics=cloudtrail,okta&group=panther&from=oldest&log_type=AWS.CloudTrail")
	if err != nil || len(k.Brokers) != 2 || len(k.Topics) != 2 || k.Group != "panther" || !k.FromOldest || k.LogType != "AWS.CloudTrail" {
		t.Fatalf("%+v %v", k, err)
	}
	for spec, want := range map[string]string{
		"logs=kafka://b1:9092?topics=t":          "no consumer group",
		"logs=kafka://b1:9092?group=g":           "no topics",
		"logs=http://b1:9092?group=g&topics=t":   "NAME=kafka://",
		"logs=kafka://b1?group=g&topics=t&x=1":   `unknown option "x"`,
		"logs=kafka://b1?group=g&topics=t&from=": "oldest or newest",
	} {
		if _, err := serve.ParseKafka(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", spec, err, want)
		}
	}
}
