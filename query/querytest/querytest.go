// Package querytest builds Parquet lakes for the tests and benchmarks of
// package query and of `panther search`, in the layout of package lake:
// <lake>/logs/<table>/year=YYYY/month=MM/day=DD/hour=HH/*.parquet, ZSTD.
// It writes with DuckDB's COPY ... PARTITION_BY, so a test lake needs no
// replay pipeline.
package querytest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" driver
)

var (
	once  sync.Once
	db    *sql.DB
	dbErr error
)

// writer is the DuckDB that writes test lakes, one per test process.
func writer() (*sql.DB, error) {
	once.Do(func() {
		db, dbErr = sql.Open("duckdb", "")
		if dbErr == nil {
			_, dbErr = db.Exec("SET TimeZone = 'UTC'")
		}
	})
	return db, dbErr
}

// Write writes the rows of selectSQL, which must have a p_event_time
// TIMESTAMP column, into <lake>/<rel> partitioned by hour. rel is
// "logs/<table>", "alerts" or "rule_matches". Each call adds new files
// (named by UUID) beside those already there.
func Write(lake, rel, selectSQL string) error {
	return WritePartitioned(lake, rel, selectSQL, "p_event_time")
}

// WritePartitioned is Write partitioned by the TIMESTAMP expression
// timeExpr over the columns of selectSQL.
func WritePartitioned(lake, rel, selectSQL, timeExpr string) error {
	db, err := writer()
	if err != nil {
		return err
	}
	dir := filepath.Join(lake, filepath.FromSlash(rel))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	q := fmt.Sprintf(`COPY (
SELECT *, strftime(%[1]s, '%%Y') AS year, strftime(%[1]s, '%%m') AS month,
	strftime(%[1]s, '%%d') AS day, strftime(%[1]s, '%%H') AS hour
FROM (%[2]s)
) TO '%[3]s' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month, day, hour),
	FILENAME_PATTERN 'part_{uuid}', OVERWRITE_OR_IGNORE true)`, timeExpr, selectSQL, strings.ReplaceAll(dir, "'", "''"))
	_, err = db.Exec(q)
	return err
}

// WriteT is Write that fails the test on error.
func WriteT(tb testing.TB, lake, rel, selectSQL string) {
	tb.Helper()
	if err := Write(lake, rel, selectSQL); err != nil {
		tb.Fatalf("writing test lake %s/%s: %v", lake, rel, err)
	}
}

// Exec runs a statement on the writer's DuckDB (for tests that compare
// with DuckDB called directly).
func Exec(query string) error {
	db, err := writer()
	if err != nil {
		return err
	}
	_, err = db.Exec(query)
	return err
}

// Corrupt writes a file that is not Parquet at <lake>/<rel>/<partition>/name.
func Corrupt(tb testing.TB, path string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("this is not a parquet file, PAR1 nor anything else\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// HourDir is the partition directory of the hour holding t.
func HourDir(lake, rel string, t time.Time) string {
	t = t.UTC()
	return filepath.Join(lake, filepath.FromSlash(rel), t.Format("year=2006"), t.Format("month=01"), t.Format("day=02"), t.Format("hour=15"))
}

// CloudTrailSQL generates n AWS.CloudTrail events spread evenly over
// [start, start+span), with the p_ columns filled as the normaliser would:
//   - source IPs 10.1.x.y from a pool of 65,536 (event i: ipn = i*40503 mod 65536),
//   - 20 accounts 1234567890NN, 500 users userN, 30 event names,
//   - an ARN per user, an error code on every 50th event.
//
// Deterministic: the same arguments give the same rows.
func CloudTrailSQL(n int64, start time.Time, span time.Duration) string {
	stepUS := span.Microseconds() / max(n, 1)
	names := []string{"GetObject", "PutObject", "ListBuckets", "DescribeInstances", "AssumeRole",
		"ConsoleLogin", "GetCallerIdentity", "CreateUser", "DeleteUser", "AttachUserPolicy",
		"StopLogging", "StartInstances", "StopInstances", "RunInstances", "TerminateInstances",
		"CreateAccessKey", "DeleteAccessKey", "GetSecretValue", "Decrypt", "Encrypt",
		"ListRoles", "GetBucketPolicy", "PutBucketPolicy", "CreateRole", "UpdateTrail",
		"DescribeTrails", "GetParameter", "PutParameter", "ListUsers", "GetUser"}
	quoted := make([]string, len(names))
	for i, s := range names {
		quoted[i] = "'" + s + "'"
	}
	return fmt.Sprintf(`SELECT
	'AWS.CloudTrail' AS p_log_type,
	TIMESTAMP '%s' + to_microseconds(i * %d) AS p_event_time,
	p_event_time + INTERVAL 3 MINUTE AS p_parse_time,
	md5('row' || i) AS p_row_id,
	'bench/cloudtrail-' || (i // 100000) || '.json.gz' AS p_source_file,
	'bench' AS p_source_label,
	[ip] AS p_any_ip_addresses,
	CAST([] AS VARCHAR[]) AS p_any_domain_names,
	[username] AS p_any_usernames,
	CAST([] AS VARCHAR[]) AS p_any_emails,
	[account] AS p_any_aws_account_ids,
	[arn] AS p_any_aws_arns,
	CAST([] AS VARCHAR[]) AS p_any_aws_instance_ids,
	CAST([] AS VARCHAR[]) AS p_any_md5_hashes,
	CAST([] AS VARCHAR[]) AS p_any_sha1_hashes,
	CAST([] AS VARCHAR[]) AS p_any_sha256_hashes,
	CAST([] AS VARCHAR[]) AS p_any_trace_ids,
	CAST(NULL AS JSON) AS p_extra,
	'1.08' AS eventVersion,
	struct_pack(type := 'IAMUser', principalId := 'AIDA' || upper(substr(md5(username), 1, 16)), arn := arn,
		accountId := account, accessKeyId := 'AKIA' || upper(substr(md5('k' || username), 1, 16)),
		userName := username, invokedBy := CAST(NULL AS VARCHAR), credentialId := CAST(NULL AS VARCHAR),
		identityProvider := CAST(NULL AS VARCHAR), sessionContext := CAST(NULL AS JSON), onBehalfOf := CAST(NULL AS JSON)) AS userIdentity,
	p_event_time AS eventTime,
	['s3', 'ec2', 'iam', 'sts', 'kms', 'cloudtrail'][(i %% 6) + 1] || '.amazonaws.com' AS eventSource,
	eventName,
	['us-east-1', 'eu-west-1', 'us-west-2'][(i %% 3) + 1] AS awsRegion,
	ip AS sourceIPAddress,
	['aws-cli/2.15.0', 'Boto3/1.34.0', 'console.amazonaws.com', 'terraform/1.7'][(i %% 4) + 1] AS userAgent,
	CASE WHEN i %% 50 = 0 THEN 'AccessDenied' END AS errorCode,
	CASE WHEN i %% 50 = 0 THEN 'User is not authorized' END AS errorMessage,
	CAST(json_object('bucketName', 'bucket-' || (i %% 50), 'key', 'obj/' || i) AS JSON) AS requestParameters,
	CAST(NULL AS JSON) AS responseElements,
	md5('req' || i) AS requestID,
	md5('evt' || i) AS eventID,
	i %% 3 <> 0 AS readOnly,
	'AwsApiCall' AS eventType,
	true AS managementEvent,
	account AS recipientAccountId,
	'Management' AS eventCategory
FROM (
	SELECT i,
		[%s][(i %% %d) + 1] AS eventName,
		'10.1.' || (((i * 40503) %% 65536) // 256) || '.' || (((i * 40503) %% 65536) %% 256) AS ip,
		'1234567890' || lpad(CAST((i * 7) %% 20 AS VARCHAR), 2, '0') AS account,
		'user' || ((i * 17) %% 500) AS username,
		'arn:aws:iam::' || account || ':user/' || username AS arn
	FROM range(%d) t(i)
)`, start.UTC().Format("2006-01-02 15:04:05"), stepUS, strings.Join(quoted, ", "), len(names), n)
}

// IPOf is the source IP CloudTrailSQL gives event i.
func IPOf(i int64) string {
	n := (i * 40503) % 65536
	return fmt.Sprintf("10.1.%d.%d", n/256, n%256)
}
