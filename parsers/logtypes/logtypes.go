// Package logtypes gathers the log types of every parser family into the
// default registry. Adding a family is adding its types to the list below.
package logtypes

import (
	"sync"

	"panther/parsers"
	"panther/parsers/aws"
	"panther/parsers/osquery"
	"panther/parsers/saas"
	"panther/parsers/suricata"
	"panther/parsers/syslog"
	"panther/parsers/web"
	"panther/parsers/zeek"
)

// builtin lists every built-in log type.
func builtin() []*parsers.LogType {
	return append(zeek.LogTypes(), []*parsers.LogType{
		aws.CloudTrail,
		aws.VPCFlow,
		aws.ALB,
		aws.S3ServerAccess,
		aws.GuardDuty,
		saas.Okta,
		saas.GitHub,
		saas.GCP,
		osquery.Differential,
		osquery.Snapshot,
		osquery.Batch,
		suricata.Alert,
		suricata.Anomaly,
		suricata.DHCP,
		suricata.DNS,
		suricata.Event,
		suricata.Fileinfo,
		suricata.Flow,
		suricata.HTTP,
		suricata.Netflow,
		suricata.SMTP,
		suricata.SSH,
		suricata.Stats,
		suricata.TLS,
		syslog.RFC5424,
		syslog.RFC3164,
		web.AccessCommon,
		web.AccessCombined,
		web.NginxAccess,
	}...)
}

var (
	once     sync.Once
	registry *parsers.Registry
)

// Default returns the registry of built-in log types. It is shared: use
// Clone before adding custom types to it.
func Default() *parsers.Registry {
	once.Do(func() {
		r, err := parsers.NewRegistry(builtin()...)
		if err != nil {
			// The declarations are code; a test checks they compile.
			panic(err)
		}
		registry = r
	})
	return registry
}
