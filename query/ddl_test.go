package query

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"panther/parsers"
	"panther/parsers/aws"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestDDL compares the statements for each engine with golden files
// (testdata/ddl/<engine>.sql; regenerate with -update and read the diff).
// aws_cloudtrail takes its columns from the CloudTrail declaration;
// zeek_dns (unknown to this registry, drifted) and alerts from the files.
func TestDDL(t *testing.T) {
	t.Parallel()
	reg, err := parsers.NewRegistry(aws.CloudTrail)
	if err != nil {
		t.Fatal(err)
	}
	e := openT(t, Options{Lake: testLake(t), Registry: reg})
	for _, eng := range DDLEngines {
		got, err := e.DDL(context.Background(), DDLOptions{Engine: eng, Location: "s3://bucket/lake/"})
		if err != nil {
			t.Fatalf("%s: %v", eng, err)
		}
		golden := filepath.Join("testdata", "ddl", eng+".sql")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s DDL differs from %s (run with -update and read the diff):\n%s", eng, golden, got)
		}
	}
	if _, err := e.DDL(context.Background(), DDLOptions{Engine: "oracle"}); err == nil || !strings.Contains(err.Error(), "athena, trino, spark") {
		t.Errorf("unknown engine: %v", err)
	}
	local, err := e.DDL(context.Background(), DDLOptions{Engine: "spark"})
	if err != nil || !strings.Contains(local, "LOCATION 'file://"+filepath.ToSlash(e.Lake())+"/logs/aws_cloudtrail/'") {
		t.Errorf("default location is not the local lake: %v\n%s", err, local)
	}
}

func TestDuckType(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"VARCHAR":                  "string",
		"BIGINT":                   "bigint",
		"INTEGER[]":                "array<int>",
		"TIMESTAMP WITH TIME ZONE": "timestamp",
		"JSON":                     "string",
		"DECIMAL(10,2)":            "double",
		"MAP(VARCHAR, BIGINT)":     "string",
		`STRUCT("a b" VARCHAR, c STRUCT(d DOUBLE)[])`: "struct<`a b`:string,`c`:array<struct<`d`:double>>>",
		`STRUCT("x""y" BOOLEAN)[][]`:                  "array<array<struct<`x\"y`:boolean>>>",
		"BLOB":                                        "string",
	}
	for in, want := range tests {
		if got := duckType(in).Hive(); got != want {
			t.Errorf("duckType(%s).Hive() = %s, want %s", in, got, want)
		}
	}
}
