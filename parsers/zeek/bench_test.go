package zeek

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"os"
	"testing"

	"panther/parsers"
	"panther/parsers/event"
	"panther/parsers/parsertest"
)

// Parse + normalise throughput, one goroutine (parsertest.Bench). The
// fixture benchmarks repeat the records of a fixture (a TSV fixture keeps
// its header once, in front); the Real ones read the shared sample.
//
//	go test -run '^$' -bench . -benchmem ./parsers/zeek/

func BenchmarkConnTSV(b *testing.B)  { benchFixture(b, Conn, "conn.log") }
func BenchmarkConnJSON(b *testing.B) { benchFixture(b, Conn, "conn.json") }
func BenchmarkDNSTSV(b *testing.B)   { benchFixture(b, DNS, "dns.log") }
func BenchmarkDNSJSON(b *testing.B)  { benchFixture(b, DNS, "dns.json") }

func BenchmarkRealDNSTSV(b *testing.B)  { benchShared(b, DNS, "zeek/wrccdc2018_dns.tsv.log.gz") }
func BenchmarkRealDNSJSON(b *testing.B) { benchShared(b, DNS, "zeek/wrccdc2018_dns.json.gz") }
func BenchmarkRealSSLTSV(b *testing.B)  { benchShared(b, SSL, "zeek/wrccdc2018_ssl.tsv.log.gz") }
func BenchmarkRealSSLJSON(b *testing.B) { benchShared(b, SSL, "zeek/wrccdc2018_ssl.json.gz") }

// Parse alone, without Normalise (the core's share: row id, indicators),
// to tell the parser's cost from the rest.
func BenchmarkParseOnlyRealDNSTSV(b *testing.B)  { benchParseOnly(b, "zeek/wrccdc2018_dns.tsv.log.gz") }
func BenchmarkParseOnlyRealDNSJSON(b *testing.B) { benchParseOnly(b, "zeek/wrccdc2018_dns.json.gz") }

func benchParseOnly(b *testing.B, rel string) {
	recs := sharedRecords(b, rel)
	var size int64
	for _, r := range recs {
		size += int64(len(r)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		p := DNS.NewParser()
		for _, r := range recs {
			e := event.New()
			if _, err := p.Parse(r, e); err != nil {
				b.Fatal(err)
			}
			e.Release()
		}
	}
}

// JSON records without _path, so the type comes from the fields.
func BenchmarkDNSJSONNoPath(b *testing.B) {
	recs := fixtureRecords(b, "dns.json", 3000)
	for i, r := range recs {
		if j := bytes.Index(r, []byte(`"ts"`)); j > 0 && bytes.HasPrefix(r, []byte(`{"_path"`)) {
			recs[i] = append([]byte{'{'}, r[j:]...)
		}
	}
	parsertest.Bench(b, parsertest.Registry(b, LogTypes()...), DNS, recs)
}

func benchFixture(b *testing.B, lt *parsers.LogType, file string) {
	parsertest.Bench(b, parsertest.Registry(b, LogTypes()...), lt, fixtureRecords(b, file, 3000))
}

// fixtureRecords returns the header lines of a fixture, then its other
// lines repeated up to n records.
func fixtureRecords(b *testing.B, file string, n int) [][]byte {
	lines := parsertest.SeedLines(b, "testdata/logs/"+file)
	var head, body, out [][]byte
	for _, l := range lines {
		if l[0] == '#' {
			head = append(head, l)
		} else {
			body = append(body, l)
		}
	}
	out = append(out, head...)
	for i := 0; len(out) < n; i++ {
		out = append(out, body[i%len(body)])
	}
	return out
}

func benchShared(b *testing.B, lt *parsers.LogType, rel string) {
	parsertest.Bench(b, parsertest.Registry(b, LogTypes()...), lt, sharedRecords(b, rel))
}

// sharedRecords reads the first 20,000 lines of a shared sample.
func sharedRecords(b *testing.B, rel string) [][]byte {
	path := parsertest.SharedData(b, rel)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var recs [][]byte
	sc := bufio.NewScanner(zr)
	for sc.Scan() && len(recs) < 20000 {
		recs = append(recs, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return recs
}
