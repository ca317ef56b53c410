package replay_test

import (
	"context"
	"testing"

	"panther/engine"
	"panther/engine/replay"
)

// BenchmarkReplayFirstSeen is the cost of the FirstSeen content on
// CloudTrail, paired: the generated archive replayed on one worker with
// every enabled shipped CloudTrail rule (with: AWS.CloudTrail.NewSourceIP,
// whose rule() passes nearly every call and whose history the sink keeps
// per account) and with the same rules less those with FirstSeen
// (without). Correlations are left out of both.
func BenchmarkReplayFirstSeen(b *testing.B) {
	set, srcs := shipped(b), corpusSources(b)
	var with, without []*engine.Detection
	for _, d := range set.RulesFor("AWS.CloudTrail") {
		if d.Kind != engine.TypeRule || !d.Enabled {
			continue
		}
		with = append(with, d)
		if !d.HasFirstSeen() {
			without = append(without, d)
		}
	}
	if len(with) == len(without) {
		b.Fatal("no shipped CloudTrail rule has FirstSeen")
	}
	for _, c := range []struct {
		name  string
		rules []*engine.Detection
	}{{"with", with}, {"without", without}} {
		b.Run(c.name, func(b *testing.B) {
			var events int64
			for i := 0; i < b.N; i++ {
				st, err := replay.Run(context.Background(), replay.Options{Sources: srcs, Set: set, Rules: c.rules, NoCorrelations: true, Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
				events += st.TotalEvents()
				if fs := st.FirstSeen["AWS.CloudTrail.NewSourceIP"]; c.name == "with" && fs.New+fs.Seen == 0 {
					b.Fatal("the FirstSeen rule saw no match")
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
