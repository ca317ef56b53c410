package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// BenchmarkParseCommand runs `panther parse` end to end (read, decompress,
// split, classify, normalise, write JSON) over 20,000 CloudTrail-shaped
// events, plain and gzipped; MB/s are of the uncompressed input.
func BenchmarkParseCommand(b *testing.B) {
	var text bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&text, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::210987654321:assumed-role/Ops/s%d","accountId":"210987654321"},"eventTime":"2024-04-02T08:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.%d","userAgent":"aws-cli/2.15.30","requestParameters":{"bucketName":"logs","key":"a/%d.gz"},"responseElements":null,"eventID":"e-%d","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::logs/a/%d.gz"}],"eventType":"AwsApiCall","recipientAccountId":"210987654321"}`+"\n",
			i, i/60%60, i%60, i%250, i, i, i)
	}
	dir := b.TempDir()
	plain := filepath.Join(dir, "trail.jsonl")
	if err := os.WriteFile(plain, text.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(text.Bytes())
	w.Close()
	zipped := filepath.Join(dir, "trail.jsonl.gz")
	if err := os.WriteFile(zipped, gz.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct{ name, file, logType string }{
		{"classify", plain, ""},
		{"classify-gzip", zipped, ""},
		{"log-type", plain, "AWS.CloudTrail"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			args := []string{"parse", tt.file}
			if tt.logType != "" {
				args = append(args, "--log-type", tt.logType)
			}
			b.SetBytes(int64(text.Len()))
			b.ReportAllocs()
			for b.Loop() {
				var errOut strings.Builder
				app := &App{IO: TestIO(strings.NewReader(""), io.Discard, &errOut), Now: time.Now,
					Getenv: func(string) string { return "" }, WorkDir: dir, ConfigDir: dir}
				if code := Execute(context.Background(), app, args); code != 0 {
					b.Fatalf("exit %d: %s", code, errOut.String())
				}
			}
			b.ReportMetric(float64(20000*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
