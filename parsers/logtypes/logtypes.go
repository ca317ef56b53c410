// Package logtypes gathers the log types of every parser family into the
// default registry. Adding a family is adding its types to the list below,
// or, for a format the declaration language can say, a YAML file under
// declared/.
//
// # Declared log types
//
// declared/<vendor>/<type>.yml are log types written in the language of
// custom log types (parsers/custom, docs/custom-log-types.md), embedded in
// the binary and compiled into the default registry at first use: the
// Microsoft 365, Azure, Windows, Google Workspace, Kubernetes, EDR, network
// and SaaS audit logs (docs/log-types.md lists them). Most such logs are a
// JSON object with a time field and a few indicator fields, and what
// differs between vendors is data, not code: a declaration is reviewed
// like content, and when one cannot be written the language grows (multiple
// time fields, folded keys, fields moved from a shipper's envelope), not
// the count of Go packages. The Go parsers stay for what declarations
// cannot do or where a hand-written parser is much faster (CloudTrail's
// Records files, Zeek's TSV headers, syslog).
//
// They live here, next to the registry, and not under detections/: a log
// type must be known whichever detections are loaded (a user's own
// repository, `panther parse`, the classifier of `panther serve`), while
// detections/ is content that a user's repository replaces. For the same
// reason packs do not carry them: they are part of the binary.
//
// Every declared type has a fixture written for this repository
// (testdata/<LogType>.jsonl) with its golden normalised events, its events
// of Panther's public detection tests parse (shared data, skipped when
// absent), its Detect accepts no other type's events, and one fuzz target
// covers them all (FuzzDeclared, seeded with every fixture).
package logtypes

import (
	"embed"
	"errors"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"panther/parsers"
	"panther/parsers/aws"
	"panther/parsers/custom"
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

//go:embed declared
var declaredFS embed.FS

// Declared compiles the log types of declared/, sorted by name. It runs at
// the start of every command that reads logs or detections: the files are
// decoded on every core (about 20 ms for 46 types on one).
func Declared() ([]*parsers.LogType, error) {
	var files []string
	err := fs.WalkDir(declaredFS, "declared", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".yml" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	types := make([]*parsers.LogType, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(files)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				data, err := declaredFS.ReadFile(files[i])
				if err == nil {
					types[i], err = custom.DecodeShipped(data, "parsers/logtypes/"+files[i])
				}
				errs[i] = err
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(types, func(a, b *parsers.LogType) int { return strings.Compare(a.Name, b.Name) })
	return types, nil
}

var (
	once     sync.Once
	registry *parsers.Registry
)

// Default returns the registry of built-in log types: the Go parsers and
// the declared types. It is shared: use Clone before adding custom types
// to it.
func Default() *parsers.Registry {
	once.Do(func() {
		declared, err := Declared()
		if err != nil {
			// The declarations are content of the binary; a test checks
			// they compile.
			panic(err)
		}
		r, err := parsers.NewRegistry(append(builtin(), declared...)...)
		if err != nil {
			panic(err)
		}
		registry = r
	})
	return registry
}
