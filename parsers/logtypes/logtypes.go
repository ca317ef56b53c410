// Package logtypes gathers the log types of every parser family into the
// default registry. Adding a family is adding its types to the list below.
package logtypes

import (
	"sync"

	"panther/parsers"
	"panther/parsers/aws"
	"panther/parsers/osquery"
	"panther/parsers/saas"
)

// builtin lists every built-in log type.
func builtin() []*parsers.LogType {
	return []*parsers.LogType{
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
	}
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
