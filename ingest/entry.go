// Package ingest takes events into `panther serve`: the live inputs
// (syslog over TCP, TLS and UDP in ingest/syslog, raw logs over HTTP in
// http.go, Kafka consumer groups in ingest/kafka) and the journal they all
// write to, which makes what they took durable before anyone is told so.
//
// Every input turns what it receives into Entries: the body of one HTTP
// request, a batch of syslog frames of one connection, a batch of Kafka
// messages of one partition. Journal.Append writes an entry to the
// write-ahead log (ingest/wal) and queues it for the pipeline
// (engine/live), in one order: the log's sequence numbers. An input that
// acknowledges (HTTP's 2xx, Kafka's offset commit) waits for
// Journal.Wait, i.e. for the fsync that covers its entry (group commit:
// one fsync covers every entry appended meanwhile).
//
// Memory is bounded by Journal's budget of queued bytes: past it, Append
// either refuses at once (ErrBusy: HTTP answers 429 with Retry-After) or
// waits (TCP listeners stop reading, so the senders' kernels buffer and
// then block; Kafka stops fetching).
//
// The entry holds the input as received, so that the pipeline after a
// restart decodes it exactly as it would have (same records, same order,
// same p_row_id): a request body stays compressed in the log, and its
// decompressed bytes travel beside it in memory only.
package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Kind says how an entry's data holds its records.
type Kind uint8

// Kinds of entries.
const (
	// Stream is a body as `panther replay -` reads it: plain, gzip, zstd
	// or bzip2 by magic bytes; lines, NDJSON, a JSON array or
	// {"Records": [...]}.
	Stream Kind = 1
	// Records are records framed already (syslog frames, Kafka messages),
	// each one record whatever its bytes.
	Records Kind = 2
)

// Entry is one unit of input, as it goes into the write-ahead log.
type Entry struct {
	// Seq is the write-ahead log's sequence number (set by Append).
	Seq uint64
	// Input names the listener or endpoint: "http", "syslog/dmz", "kafka/logs".
	Input string
	// Source is the events' p_source_file: where they came from
	// ("http/fw1", "syslog/dmz/192.0.2.7:51544", "kafka/logs/3").
	Source string
	// LogType is the log type of every record; "" lets the classifier
	// choose.
	LogType string
	// Label is p_source_label.
	Label string
	// Received is when the input took it: the events' p_parse_time.
	Received time.Time
	Kind     Kind
	// Data is the entry as received: a body (Stream), or records each
	// prefixed with its length as a uvarint (Records; see AppendRecord).
	Data []byte
	// Plain is Data decompressed (Stream), when the input did it already
	// to check the body's limits: not written to the log.
	Plain []byte
	// Kafka marks the offsets an entry holds (not written: the consumer
	// commits them once the entry is durable).
	Kafka *KafkaOffsets
	// Count is the number of records (Records) when known.
	Count int
	// pooled: Data is a body buffer of the pool (body.go), given back
	// when the pipeline is done with the entry (Journal.Done).
	pooled bool
}

// KafkaOffsets are the offsets of a Kafka entry.
type KafkaOffsets struct {
	Topic     string
	Partition int32
	First     int64
	Last      int64
}

// AppendRecord appends one record to the Data of a Records entry.
func AppendRecord(data, rec []byte) []byte {
	data = binary.AppendUvarint(data, uint64(len(rec)))
	return append(data, rec...)
}

// EachRecord calls f with every record of a Records entry's data.
func EachRecord(data []byte, f func(rec []byte) error) error {
	for len(data) > 0 {
		n, k := binary.Uvarint(data)
		if k <= 0 || uint64(len(data)-k) < n {
			return errors.New("ingest: a records entry is cut short")
		}
		if err := f(data[k : k+int(n)]); err != nil {
			return err
		}
		data = data[k+int(n):]
	}
	return nil
}

// Size is what the entry costs in memory.
func (e *Entry) Size() int64 { return int64(len(e.Data) + len(e.Plain) + 256) }

const entryVersion = 1

// Marshal encodes the entry for the write-ahead log (without Seq and
// Plain).
func (e *Entry) Marshal(dst []byte) []byte {
	return append(e.MarshalHeader(dst), e.Data...)
}

// MarshalHeader encodes what comes before Data in Marshal's encoding.
func (e *Entry) MarshalHeader(dst []byte) []byte {
	dst = append(dst, entryVersion, byte(e.Kind))
	for _, s := range []string{e.Input, e.Source, e.LogType, e.Label} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendVarint(dst, e.Received.UnixNano())
	dst = binary.AppendUvarint(dst, uint64(e.Count))
	if k := e.Kafka; k != nil {
		dst = append(dst, 1)
		dst = binary.AppendUvarint(dst, uint64(len(k.Topic)))
		dst = append(dst, k.Topic...)
		dst = binary.AppendVarint(dst, int64(k.Partition))
		dst = binary.AppendVarint(dst, k.First)
		dst = binary.AppendVarint(dst, k.Last)
	} else {
		dst = append(dst, 0)
	}
	return dst
}

// Unmarshal decodes an entry written by Marshal. Data aliases b.
func Unmarshal(b []byte, seq uint64) (*Entry, error) {
	bad := func(what string) (*Entry, error) {
		return nil, fmt.Errorf("ingest: write-ahead log record %d: %s", seq, what)
	}
	if len(b) < 2 || b[0] != entryVersion {
		return bad("unknown version")
	}
	e := &Entry{Seq: seq, Kind: Kind(b[1])}
	b = b[2:]
	for _, s := range []*string{&e.Input, &e.Source, &e.LogType, &e.Label} {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return bad("cut short")
		}
		*s = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	ns, k := binary.Varint(b)
	if k <= 0 {
		return bad("no time")
	}
	e.Received = time.Unix(0, ns).UTC()
	b = b[k:]
	cnt, k := binary.Uvarint(b)
	if k <= 0 {
		return bad("no count")
	}
	e.Count = int(cnt)
	b = b[k:]
	if len(b) == 0 {
		return bad("cut short")
	}
	if b[0] == 1 {
		b = b[1:]
		kf := &KafkaOffsets{}
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return bad("cut short")
		}
		kf.Topic = string(b[k : k+int(n)])
		b = b[k+int(n):]
		var vals [3]int64
		for i := range vals {
			v, k := binary.Varint(b)
			if k <= 0 {
				return bad("cut short")
			}
			vals[i], b = v, b[k:]
		}
		kf.Partition, kf.First, kf.Last = int32(vals[0]), vals[1], vals[2]
		e.Kafka = kf
	} else {
		b = b[1:]
	}
	e.Data = b
	return e, nil
}
