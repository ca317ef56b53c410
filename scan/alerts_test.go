package scan

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// A history of one bucket: fine, public, an error, public, fine, then
// suppressed while failing. Alerts: raised once, resolved once; the error
// changes nothing; a suppression resolves.
func TestTrackerTransitions(t *testing.T) {
	set := testPolicies(t)
	sc := NewScanner(set, Options{Workers: 1})
	tr := &Tracker{State: NewMemoryState()}
	ctx := context.Background()
	states := []string{
		`{"Name": "exports", "Versioning": "Enabled"}`,
		`{"Name": "exports", "Versioning": "Enabled", "Public": true}`,
		`{"Name": "exports", "Versioning": "Enabled", "Public": true}`,
		`{"Name": "exports", "Versioning": "Enabled"}`,
		`{"Name": "exports"}`,
	}
	var got []string
	for i, js := range states {
		ev := sc.EvaluateOne(res("AWS.S3.Bucket", "arn:aws:s3:::exports", js))
		changes, err := tr.Observe(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			got = append(got, fmt.Sprintf("%d %s %s %s", i, c.Kind, c.Key.PolicyID, c.Result.Status))
		}
	}
	// A suppressed resource resolves what it had open.
	ev := sc.EvaluateOne(res("AWS.S3.Bucket", "arn:aws:s3:::scratch-9", `{"Name": "scratch-9"}`))
	tr.State.SetFailing(ctx, AlertKey{"Test.Versioning", "arn:aws:s3:::scratch-9"}, true)
	changes, _ := tr.Observe(ctx, ev)
	for _, c := range changes {
		got = append(got, fmt.Sprintf("suppressed %s %s", c.Kind, c.Key.PolicyID))
	}
	// An error does not resolve.
	tr.State.SetFailing(ctx, AlertKey{"Test.Broken", "vpc-err"}, true)
	changes, _ = tr.Observe(ctx, sc.EvaluateOne(res("AWS.EC2.VPC", "vpc-err", `{"VpcId": "vpc-err"}`)))
	got = append(got, fmt.Sprintf("error: %d changes", len(changes)))
	want := []string{
		"1 raise Test.Public fail",
		"3 resolve Test.Public pass",
		"4 raise Test.Versioning fail",
		"suppressed resolve Test.Versioning",
		"error: 0 changes",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	open := tr.State.(*MemoryState).Open()
	if len(open) != 2 { // Test.Versioning on exports, Test.Broken on vpc-err
		t.Fatalf("open: %v", open)
	}
}

func TestScanDocument(t *testing.T) {
	sc := NewScanner(testPolicies(t), Options{Workers: 2})
	body := []byte(`{"configurationItems": [{"resourceType": "AWS::S3::Bucket", "resourceId": "b", "resourceName": "b", "ARN": "arn:aws:s3:::b",
	  "awsAccountId": "111122223333", "awsRegion": "eu-west-1", "configurationItemStatus": "OK", "configuration": {"name": "b"},
	  "supplementaryConfiguration": {"BucketVersioningConfiguration": {"status": "Enabled"}}}]}`)
	var evs []Evaluated
	st, err := ScanDocument(context.Background(), sc, "POST /api/v1/ingest", body, ReadOptions{}, func(ev Evaluated) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil || st.Resources != 1 || len(evs) != 1 || len(evs[0].Results) != 2 {
		t.Fatalf("%v %+v %v", err, st, evs)
	}
	for _, r := range evs[0].Results {
		if r.Status != Pass {
			t.Errorf("%s: %s", r.Policy.ID, r.Status)
		}
	}
}
