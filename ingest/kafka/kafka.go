// Package kafka is the Kafka input of `panther serve`: a consumer group
// over some topics, so that any number of serve instances share their
// partitions, each record value one log record.
//
// The client is github.com/twmb/franz-go (kgo), the well-kept pure-Go
// Kafka client: consumer groups with cooperative rebalancing, explicit
// offset commits, and an in-process cluster (kfake) that speaks the real
// protocol, which the tests run against.
//
// An offset is committed only once its records are durable: a poll's
// records go to the journal as one entry per partition, the consumer
// waits for the write-ahead log's sync that covers them, then commits
// their offsets. Rebalances are held back while a poll is being handled
// (kgo.BlockRebalanceOnPoll), so a partition never moves to another
// instance between the sync and the commit: the new owner starts after the
// committed offset. While the journal is full the consumer does not poll
// (Append waits), so Kafka keeps what the pipeline cannot take yet.
//
// Left: if the process dies after the sync and before the commit, the
// records are in its journal and will be re-delivered by Kafka too; the
// consumer skips, per partition, the offsets its journal already holds
// (Skip), which covers a restart of the same instance; another instance
// taking the partition in that window would process them again.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"panther/ingest"
)

// Config is one consumer group.
type Config struct {
	// Name names the input ("kafka/NAME") in metrics, logs and
	// p_source_file ("kafka/NAME/TOPIC/PARTITION").
	Name    string
	Brokers []string
	Topics  []string
	Group   string
	// LogType of every record ("" : classify each).
	LogType string
	Label   string
	// MaxPoll bounds the records taken at once (default 10,000).
	MaxPoll int
	// MaxRecord bounds a record's size (default 1 MiB): larger ones are
	// counted and skipped (their offsets are committed).
	MaxRecord int
	// Start at the oldest offset when the group has none (default: the
	// newest, as Kafka consumers do).
	FromOldest bool
}

// Check validates a configuration and fills its defaults.
func (c *Config) Check() error {
	where := "kafka input " + c.Name
	switch {
	case c.Name == "":
		return errors.New("kafka input: no name")
	case len(c.Brokers) == 0:
		return fmt.Errorf("%s: no brokers", where)
	case len(c.Topics) == 0:
		return fmt.Errorf("%s: no topics", where)
	case c.Group == "":
		return fmt.Errorf("%s: no consumer group", where)
	}
	if c.MaxPoll <= 0 {
		c.MaxPoll = 10000
	}
	if c.MaxRecord <= 0 {
		c.MaxRecord = 1 << 20
	}
	return nil
}

// Consumer reads a consumer group into the journal.
type Consumer struct {
	cfg     Config
	journal *ingest.Journal
	met     *ingest.Metrics
	log     *slog.Logger
	cl      *kgo.Client

	mu   sync.Mutex
	skip map[string]int64 // "topic/partition" -> last offset the journal holds
}

// New connects a consumer (lazily: the brokers are dialled when Run polls).
func New(cfg Config, j *ingest.Journal, met *ingest.Metrics, log *slog.Logger) (*Consumer, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	c := &Consumer{cfg: cfg, journal: j, met: met, log: log.With("input", "kafka/"+cfg.Name), skip: map[string]int64{}}
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.Topics...),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.FetchMaxWait(500 * time.Millisecond),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, lost map[string][]int32) {
			// Everything polled was committed before AllowRebalance: nothing
			// to do but say so.
			c.log.Info("partitions revoked", "partitions", fmt.Sprint(lost))
		}),
		kgo.OnPartitionsAssigned(func(ctx context.Context, cl *kgo.Client, got map[string][]int32) {
			c.log.Info("partitions assigned", "partitions", fmt.Sprint(got))
		}),
	}
	if cfg.FromOldest {
		opts = append(opts, kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka input %s: %w", cfg.Name, err)
	}
	c.cl = cl
	return c, nil
}

// Skip records that the journal holds offsets up to last of a partition
// (from entries read back at start), so that their re-delivery is
// ignored.
func (c *Consumer) Skip(topic string, partition int32, last int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := topic + "/" + strconv.Itoa(int(partition))
	if last > c.skip[k] {
		c.skip[k] = last
	}
}

func (c *Consumer) skipped(topic string, partition int32, off int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	last, ok := c.skip[topic+"/"+strconv.Itoa(int(partition))]
	return ok && off <= last
}

// Run consumes until ctx is done, then leaves the group.
func (c *Consumer) Run(ctx context.Context) error {
	defer func() {
		lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.cl.LeaveGroupContext(lctx)
		c.cl.Close()
	}()
	in := "kafka/" + c.cfg.Name
	for {
		fetches := c.cl.PollRecords(ctx, c.cfg.MaxPoll)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			c.cl.AllowRebalance()
			return nil
		}
		fetches.EachError(func(topic string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				c.log.Warn("fetch", "topic", topic, "partition", p, "error", err.Error())
			}
		})
		if err := c.handle(ctx, in, fetches); err != nil {
			c.cl.AllowRebalance()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		c.cl.AllowRebalance()
	}
}

// handle writes a poll's records to the journal, one entry per
// partition, waits for their sync and commits their offsets.
func (c *Consumer) handle(ctx context.Context, in string, fetches kgo.Fetches) error {
	var last uint64
	var commit []*kgo.Record
	var err error
	fetches.EachPartition(func(p kgo.FetchTopicPartition) {
		if err != nil || len(p.Records) == 0 {
			return
		}
		e := &ingest.Entry{Input: in, Source: fmt.Sprintf("%s/%s/%d", in, p.Topic, p.Partition), LogType: c.cfg.LogType,
			Label: c.cfg.Label, Received: time.Now().UTC(), Kind: ingest.Records,
			Kafka: &ingest.KafkaOffsets{Topic: p.Topic, Partition: p.Partition, First: -1}}
		for _, r := range p.Records {
			if c.skipped(r.Topic, r.Partition, r.Offset) {
				continue
			}
			if len(r.Value) > c.cfg.MaxRecord {
				c.met.Refused.WithLabelValues(in, "too_large").Inc()
				c.log.Warn("record skipped: over the size limit", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "size", len(r.Value))
				continue
			}
			if e.Kafka.First < 0 {
				e.Kafka.First = r.Offset
			}
			e.Kafka.Last = r.Offset
			e.Data = ingest.AppendRecord(e.Data, r.Value)
			e.Count++
			c.met.Bytes.WithLabelValues(in).Add(float64(len(r.Value)))
		}
		if e.Count > 0 {
			c.met.Received.WithLabelValues(in).Add(float64(e.Count))
			var seq uint64
			if seq, err = c.journal.Append(ctx, e, true); err != nil {
				return // not journaled: neither committed
			}
			last = max(last, seq)
		}
		commit = append(commit, p.Records[len(p.Records)-1])
	})
	// What was journaled is committed once durable, even when a later
	// partition failed.
	if last > 0 {
		if err := c.journal.Wait(last); err != nil {
			return fmt.Errorf("kafka input %s: %w", c.cfg.Name, err)
		}
	}
	if len(commit) > 0 {
		// Durable now: commit even if we are stopping, or the next owner
		// of the partition would read these records again.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := c.cl.CommitRecords(cctx, commit...); err != nil {
			c.log.Warn("committing offsets", "error", err.Error())
		}
	}
	if err != nil {
		return fmt.Errorf("kafka input %s: %w", c.cfg.Name, err)
	}
	return nil
}

// ParseBrokers splits "host:port,host:port".
func ParseBrokers(s string) []string {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}
