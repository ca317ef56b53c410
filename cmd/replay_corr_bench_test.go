package cmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"panther/engine/enginetest"
)

// corrBenchRare are CloudTrail rules of the shipped set that match now and
// then in the generated archive (about 1% of its events are sensitive
// calls); corrBenchBusy match a large part of it (every IAM user's call,
// every IAM write). Each of the 20 correlation rules of the benchmark
// takes a busy rule's matches, so all of them hold state all the time;
// they fire about as often as a real rule would (a rare event starts or
// completes each chain).
var (
	corrBenchRare = []string{"AWS.Console.LoginWithoutMFA", "AWS.CloudTrail.Stopped",
		"AWS.IAM.AccessKeyCreatedForOtherUser", "AWS.Console.RootLogin", "AWS.IAM.AdminPolicyAttached",
		"AWS.EC2.SecurityGroupOpenToInternet", "AWS.S3.BucketMadePublic", "AWS.KMS.KeyDisabledOrScheduledForDeletion",
		"AWS.IAM.RootActivity", "AWS.CloudTrail.LoggingStarted"}
	corrBenchBusy = []string{"AWS.IAM.UserActivity", "AWS.IAM.WriteCall"}
)

// writeCorrBenchRules writes 20 correlation rules over CloudTrail rules
// into dir: sequences, groups, absences (Panther's format) and Sigma
// event_count and value_count documents, keyed on the principal, the
// address or the account, five of each.
func writeCorrBenchRules(dir string) error {
	keys := []string{"userIdentity.arn", "sourceIPAddress", "recipientAccountId"}
	for i := 0; i < 20; i++ {
		a, b, key := corrBenchRare[i%len(corrBenchRare)], corrBenchBusy[(i/4)%2], keys[i%len(keys)]
		var doc string
		switch i % 4 {
		case 0:
			doc = fmt.Sprintf(`AnalysisType: correlation_rule
RuleID: Bench.Seq.%d
Severity: Medium
Detection:
  - Sequence:
      - {ID: first, RuleID: %s}
      - {ID: then, RuleID: %s}
    Transitions:
      - {ID: first then, From: first, To: then, WithinTimeFrameMinutes: 60, Match: [{On: %s}]}
    LookbackWindowMinutes: 90
`, i, a, b, key)
		case 1:
			doc = fmt.Sprintf(`AnalysisType: correlation_rule
RuleID: Bench.Group.%d
Severity: Medium
Detection:
  - Group:
      - {ID: one, RuleID: %s}
      - {ID: two, RuleID: %s, MinMatchCount: 2}
    MatchCriteria:
      key: [{GroupID: one, Match: %s}, {GroupID: two, Match: %s}]
    LookbackWindowMinutes: 60
`, i, a, b, key, key)
		case 2:
			doc = fmt.Sprintf(`AnalysisType: correlation_rule
RuleID: Bench.Absence.%d
Severity: Medium
Detection:
  - Sequence:
      - {ID: first, RuleID: %s}
      - {ID: missing, RuleID: %s, Absence: true}
    Transitions:
      - {ID: first then none, From: first, To: missing, WithinTimeFrameMinutes: 30, Match: [{On: %s}]}
    LookbackWindowMinutes: 60
`, i, a, b, key)
		default:
			if i%8 == 3 {
				doc = fmt.Sprintf("title: Bench event count %d\nname: Bench.EventCount.%d\nlevel: medium\ncorrelation:\n  type: event_count\n  rules: [%s, %s]\n  group-by: [%s]\n  timespan: 1h\n  condition: {gte: 500}\n", i, i, a, b, key)
			} else {
				doc = fmt.Sprintf("title: Bench distinct %d\nname: Bench.ValueCount.%d\nlevel: medium\ncorrelation:\n  type: value_count\n  rules: [AWS.IAM.UserActivity]\n  group-by: [%s]\n  timespan: 1h\n  condition: {gte: 15, field: eventName}\n", i, i, key)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("bench_%02d.yml", i)), []byte(doc), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// shippedCorrelationIDs are the RuleIDs of the correlation rules in dir.
func shippedCorrelationIDs(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if m := ruleIDLineRe.FindSubmatch(b); m != nil {
			ids = append(ids, string(m[1]))
		}
	}
	return ids, nil
}

var (
	ruleIDLineRe   = regexp.MustCompile(`(?m)^RuleID:\s*(\S+)`)
	corrSummaryRe  = regexp.MustCompile(`correlations: (\d+) rule\(s\), (\d+) chain\(s\) completed; at the end (\d+) match\(es\) held under (\d+) key\(s\) \(peak (\d+) keys\)`)
	corrStateBytes = regexp.MustCompile(`state ([0-9.]+) MB \(peak at most ([0-9.]+) MB\)`)
)

// BenchmarkReplayCorrelations is `panther replay` of the generated
// CloudTrail archive (PANTHER_BENCH_GZ_MB, default 64) with every shipped
// rule and no correlation rule ("without"); with the shipped correlation
// rules ("shipped": the case, 20 correlation rules over
// CloudTrail and more — 21 of the 28 take CloudTrail rules' matches — fed
// by the signals real chains need); with the 20 generated correlation
// rules of writeCorrBenchRules instead, each fed by a busy rule, the worst
// case ("with20"); and with both ("both"), in one run: wall and CPU
// seconds (user+sys) a run, events/s, peak RSS and the correlation state
// the summary reports (chains, peak keys, the peak of its estimated
// bytes).
func BenchmarkReplayCorrelations(b *testing.B) {
	dir, err := enginetest.CachedCloudTrail(enginetest.BenchCorpusMB(64))
	if err != nil {
		b.Fatal(err)
	}
	bin := buildBinary(b)
	extra := b.TempDir()
	if err := writeCorrBenchRules(extra); err != nil {
		b.Fatal(err)
	}
	shipped, _ := filepath.Abs(filepath.Join("..", "detections"))
	// with20 is the worst case: the 20 generated correlation rules alone
	// (the shipped ones filtered out by ID).
	ids, err := shippedCorrelationIDs(filepath.Join(shipped, "correlations"))
	if err != nil || len(ids) == 0 {
		b.Fatalf("shipped correlation rules: %v (%d)", err, len(ids))
	}
	cases := []struct {
		name string
		args []string
	}{
		{"without", []string{"--detections", shipped, "--filter", "AnalysisType!=correlation_rule"}},
		{"shipped", []string{"--detections", shipped}},
		{"with20", []string{"--detections", shipped, "--detections", extra, "--filter", "RuleID!=" + strings.Join(ids, ",")}},
		{"both", []string{"--detections", shipped, "--detections", extra}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var events, wall, cpu, rss float64
			var corr, state []string
			for i := 0; i < b.N; i++ {
				args := append([]string{"replay", dir, "--format", "jsonl", "--workers", "2"}, c.args...)
				cmd := exec.Command(bin, args...)
				cmd.Env = append(os.Environ(), "NO_COLOR=1")
				var stderr strings.Builder
				cmd.Stderr = &stderr
				start := time.Now()
				if err := cmd.Run(); err != nil {
					b.Fatalf("%v\n%s", err, stderr.String())
				}
				wall += time.Since(start).Seconds()
				m := summaryRe.FindStringSubmatch(stderr.String())
				if m == nil {
					b.Fatalf("no summary in:\n%s", stderr.String())
				}
				ev, _ := strconv.ParseFloat(m[1], 64)
				events += ev
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					rss = max(rss, float64(ru.Maxrss)/1024)
					cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
				}
				corr = corrSummaryRe.FindStringSubmatch(stderr.String())
				state = corrStateBytes.FindStringSubmatch(stderr.String())
			}
			n := float64(b.N)
			b.ReportMetric(wall/n, "wall_s")
			b.ReportMetric(cpu/n, "cpu_s")
			b.ReportMetric(events/wall, "events/s")
			b.ReportMetric(rss, "maxRSS_MB")
			if corr != nil {
				rules, _ := strconv.ParseFloat(corr[1], 64)
				chains, _ := strconv.ParseFloat(corr[2], 64)
				peak, _ := strconv.ParseFloat(corr[5], 64)
				b.ReportMetric(rules, "corr_rules")
				b.ReportMetric(chains, "chains")
				b.ReportMetric(peak, "peak_keys")
			}
			if state != nil {
				peak, _ := strconv.ParseFloat(state[2], 64)
				b.ReportMetric(peak, "state_peak_MB")
			}
		})
	}
}
