package input

import (
	"bufio"
	"bytes"
	stdgzip "compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// benchEvents is n CloudTrail-shaped JSON events (about 1 KB each, with
// escapes and nesting), one per line.
func benchEvents(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:session-%d","arn":"arn:aws:sts::123456789012:assumed-role/Admin/session-%d","accountId":"123456789012","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/Admin","accountId":"123456789012","userName":"Admin"},"attributes":{"creationDate":"2024-03-01T11:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-03-01T12:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.%d","userAgent":"[aws-cli/2.15.0 Python/3.11.6 \"quoted\" path\\to\\thing]","requestParameters":{"bucketName":"logs-%d","key":"a/b/c/%d.json.gz","Host":"logs.s3.eu-west-1.amazonaws.com"},"responseElements":null,"additionalEventData":{"bytesTransferredIn":0,"bytesTransferredOut":%d,"x-amz-id-2":"abc/def+ghi="},"requestID":"REQ%08d","eventID":"9d0c1a2e-0000-4000-8000-%012d","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::logs-%d/a/b/c/%d.json.gz"},{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::logs-%d"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}`+"\n",
			i, i, i/60%60, i%60, i%250, i%7, i, i*31%100000, i, i, i%7, i, i%7)
	}
	return b.Bytes()
}

// benchArray is the same events as one {"Records":[...]} file.
func benchArray(n int) []byte {
	lines := bytes.Split(bytes.TrimSpace(benchEvents(n)), []byte("\n"))
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	b.Write(bytes.Join(lines, []byte(",")))
	b.WriteString("]}")
	return b.Bytes()
}

const benchN = 10000 // about 11 MB

func benchRead(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), Options{})
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// Line splitting of NDJSON.
func BenchmarkReaderLines(b *testing.B) { benchRead(b, benchEvents(benchN)) }

// Splitting a CloudTrail {"Records":[...]} file with our scanner...
func BenchmarkReaderArray(b *testing.B) { benchRead(b, benchArray(benchN)) }

// ... and with encoding/json.Decoder (Token, then Decode into RawMessage),
// the standard library's way to stream an array.
func BenchmarkReaderArrayEncodingJSON(b *testing.B) {
	data := benchArray(benchN)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := json.NewDecoder(bytes.NewReader(data))
		for range 3 { // { "Records" [
			if _, err := d.Token(); err != nil {
				b.Fatal(err)
			}
		}
		var raw json.RawMessage
		for d.More() {
			if err := d.Decode(&raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// bufio.Scanner, for comparison with our line splitting.
func BenchmarkReaderLinesBufioScanner(b *testing.B) {
	data := benchEvents(benchN)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, initialBufferSize), DefaultMaxRecordBytes)
		n := 0
		for sc.Scan() {
			n++
		}
		if sc.Err() != nil || n != benchN {
			b.Fatalf("%d lines: %v", n, sc.Err())
		}
	}
}

// Decompression alone (MB/s of decompressed data): klauspost/compress
// against the standard library for gzip, and zstd with and without its
// asynchronous block decoding.
func BenchmarkDecompress(b *testing.B) {
	data := benchEvents(benchN)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz) // default level, as most log shippers use
	w.Write(data)
	w.Close()
	var zs bytes.Buffer
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(data)
	zw.Close()
	sink := make([]byte, 256<<10)
	drain := func(b *testing.B, r io.Reader) {
		for {
			_, err := r.Read(sink)
			if err == io.EOF {
				return
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	run := func(name string, open func(io.Reader) (io.Reader, func())) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var src []byte
				if name[0] == 'z' {
					src = zs.Bytes()
				} else {
					src = gz.Bytes()
				}
				r, done := open(bytes.NewReader(src))
				drain(b, r)
				done()
			}
		})
	}
	run("gzip-klauspost", func(r io.Reader) (io.Reader, func()) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			b.Fatal(err)
		}
		return zr, func() {}
	})
	run("gzip-stdlib", func(r io.Reader) (io.Reader, func()) {
		zr, err := stdgzip.NewReader(r)
		if err != nil {
			b.Fatal(err)
		}
		return zr, func() {}
	})
	for _, c := range []int{1, 4} {
		run(fmt.Sprintf("zstd-concurrency-%d", c), func(r io.Reader) (io.Reader, func()) {
			zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(c))
			if err != nil {
				b.Fatal(err)
			}
			return zr, zr.Close
		})
	}
}

// The whole input layer on a gzip file: Open (magic bytes) + split.
func BenchmarkOpenGzipLines(b *testing.B) {
	data := benchEvents(benchN)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(data)
	w.Close()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewStream("bench.gz", bytes.NewReader(gz.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		r := NewReader(s, Options{})
		for {
			if _, err := r.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		s.Close()
	}
}
