package kafka_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"panther/ingest"
	"panther/ingest/kafka"
)

// instance is one `panther serve`'s journal and consumer.
type instance struct {
	j      *ingest.Journal
	cancel context.CancelFunc
	done   chan struct{}
}

func startInstance(t *testing.T, brokers []string) *instance {
	t.Helper()
	j, err := ingest.OpenJournal(t.TempDir(), ingest.JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := kafka.New(kafka.Config{Name: "logs", Brokers: brokers, Topics: []string{"logs"}, Group: "panther", FromOldest: true, MaxPoll: 50},
		j, ingest.NewMetrics(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{j: j, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(in.done)
		if err := c.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	return in
}

func (in *instance) stop() {
	in.cancel()
	<-in.done
}

// records drains the journal's entries: the record values.
func (in *instance) records(t *testing.T) []string {
	var out []string
	for {
		e := in.j.TryNext()
		if e == nil {
			return out
		}
		ingest.EachRecord(e.Data, func(r []byte) error {
			out = append(out, string(r))
			return nil
		})
		in.j.Done(e)
	}
}

// TestRebalanceWhileFlowing: records are produced while a second consumer
// joins the group and the first one leaves; every record ends up in one
// journal exactly once.
func TestRebalanceWhileFlowing(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "logs"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	prod, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	const total = 3000
	produced := make(chan struct{})
	go func() {
		defer close(produced)
		for i := 0; i < total; i++ {
			r := &kgo.Record{Topic: "logs", Key: []byte(strconv.Itoa(i % 17)), Value: []byte(fmt.Sprintf("<13>1 - h app - - - seq=%d", i))}
			if err := prod.ProduceSync(context.Background(), r).FirstErr(); err != nil {
				t.Error(err)
				return
			}
			if i%200 == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
	}()
	a := startInstance(t, brokers)
	time.Sleep(300 * time.Millisecond)
	b := startInstance(t, brokers) // joins: a rebalance while records flow
	time.Sleep(500 * time.Millisecond)
	a.stop() // leaves: another one
	<-produced
	var got []string
	got = append(got, a.records(t)...)
	deadline := time.Now().Add(20 * time.Second)
	for len(got) < total && time.Now().Before(deadline) {
		got = append(got, b.records(t)...)
		time.Sleep(20 * time.Millisecond)
	}
	b.stop()
	got = append(got, b.records(t)...)
	seen := map[string]int{}
	for _, r := range got {
		seen[r]++
	}
	var doubled, missing []string
	for i := 0; i < total; i++ {
		k := fmt.Sprintf("<13>1 - h app - - - seq=%d", i)
		switch seen[k] {
		case 0:
			missing = append(missing, strconv.Itoa(i))
		case 1:
		default:
			doubled = append(doubled, strconv.Itoa(i))
		}
	}
	if len(missing)+len(doubled) > 0 {
		t.Fatalf("%d records: %d missing (%s), %d doubled (%s)", len(got), len(missing), head(missing), len(doubled), head(doubled))
	}
}

func head(s []string) string {
	if len(s) > 10 {
		s = s[:10]
	}
	return strings.Join(s, ",")
}
