package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"panther/packs"
)

// pendingUpload is a zip to send.
type pendingUpload struct {
	name string
	body io.ReaderAt
	size int64
}

// uploadResult is an upload's answer, with what changed in each changed
// detection when it was a dry run.
type uploadResult struct {
	*packs.UploadResult
	Changes []packs.Change `json:"changes,omitempty"`
}

// uploadFailure is the --format json output of a failed upload.
type uploadFailure struct {
	Error struct {
		Message     string             `json:"message"`
		Status      int                `json:"status,omitempty"`
		Code        string             `json:"code,omitempty"`
		Hint        string             `json:"hint,omitempty"`
		Diagnostics []packs.Diagnostic `json:"diagnostics,omitempty"`
		FailedTests []packs.FailedTest `json:"failed_tests,omitempty"`
		Local       []string           `json:"local,omitempty"` // what failed here, before sending
	} `json:"error"`
	Results []uploadResult `json:"results"`
}

func uploadRun(opts *uploadOptions) error {
	// In JSON mode what would go to stdout for people goes into the
	// failure document instead.
	var local bytes.Buffer
	say := opts.IO.Out
	if opts.Format == "json" {
		say = &local
	}
	results, err := uploadAll(opts, say)
	if opts.Format == "pretty" {
		return err
	}
	if err == nil {
		if results == nil {
			results = []uploadResult{}
		}
		return printJSON(opts.IO.Out, results)
	}
	var doc uploadFailure
	doc.Results = results
	if doc.Results == nil {
		doc.Results = []uploadResult{}
	}
	doc.Error.Message = err.Error()
	var ae *packs.APIError
	if errors.As(err, &ae) {
		doc.Error.Status, doc.Error.Code, doc.Error.Hint = ae.Status, ae.Code, ae.Hint
		doc.Error.Diagnostics, doc.Error.FailedTests = ae.Diagnostics, ae.FailedTests
	}
	err = remoteErr(err, nil)
	if s := strings.TrimSpace(local.String()); s != "" {
		doc.Error.Local = strings.Split(s, "\n")
	}
	var ee *ExitError
	switch {
	case errors.As(err, &ee) && ee.Err != nil:
		doc.Error.Message = ee.Err.Error()
	case errors.As(err, &ee):
		doc.Error.Message = "a pack failed its checks here; nothing was sent for it (error.local says why)"
	}
	if perr := printJSON(opts.IO.Out, doc); perr != nil {
		return perr
	}
	return err
}

// uploadAll builds or opens the zips and sends them. Problems found here
// (a pack failing its tests) are printed to say. A failed upload is
// returned as the client's error (not yet an exit error) so that JSON can
// carry its details.
func uploadAll(opts *uploadOptions, say io.Writer) ([]uploadResult, error) {
	client, err := opts.Client()
	if err != nil {
		return nil, err
	}
	ups, failed, closeAll, err := pendingUploads(opts, say)
	defer closeAll()
	if err != nil {
		return nil, err
	}
	var results []uploadResult
	for _, u := range ups {
		res, err := client.Upload(opts.Ctx, u.body, u.size, packs.UploadOptions{DryRun: opts.DryRun, NoActivate: opts.NoActivate, IfActive: opts.Expect})
		if err != nil {
			if opts.Format == "pretty" {
				return results, remoteErr(fmt.Errorf("pack %s: %w", u.name, err), opts.IO.Out)
			}
			return results, fmt.Errorf("pack %s: %w", u.name, err)
		}
		r := uploadResult{UploadResult: res}
		if res.DryRun && len(res.Diff.Changed) > 0 {
			r.Changes = dryRunChanges(opts, client, u, res)
		}
		results = append(results, r)
		if opts.Format == "pretty" {
			printUpload(opts.IO.Out, res)
			printChanges(opts.IO.Out, r.Changes)
		}
	}
	if failed {
		return results, findings()
	}
	return results, nil
}

// pendingUploads opens the zips given, or builds the packs; closeAll
// closes the files.
func pendingUploads(opts *uploadOptions, say io.Writer) (ups []pendingUpload, failed bool, closeAll func(), err error) {
	var closers []io.Closer
	closeAll = func() {
		for _, c := range closers {
			c.Close()
		}
	}
	if len(opts.Files) > 0 {
		for _, file := range opts.Files {
			arch, f, size, err := openArchiveFile(file)
			if err != nil {
				var ae *packs.ArchiveError
				if errors.As(err, &ae) {
					return nil, false, closeAll, &ExitError{Code: ExitFindings, Err: fmt.Errorf("%s: %v", file, err)}
				}
				return nil, false, closeAll, opErr(err)
			}
			closers = append(closers, f)
			ups = append(ups, pendingUpload{name: arch.Manifest.Pack, body: f, size: size})
		}
		return ups, false, closeAll, nil
	}
	set, err := opts.Load(opts.Paths)
	if err != nil {
		return nil, false, closeAll, err
	}
	built, failed, err := buildPacks(opts.Ctx, set, opts.IDs, opts.Budget, opts.Now, opts.SkipTests, say, opts.IO.Color)
	if err != nil {
		return nil, false, closeAll, err
	}
	for _, b := range built {
		ups = append(ups, pendingUpload{name: b.ID, body: bytes.NewReader(b.Built.Zip), size: int64(len(b.Built.Zip))})
	}
	return ups, failed, closeAll, nil
}

// dryRunChanges says what changed in each changed detection: the active
// version is downloaded and compared with the zip sent. It is best effort:
// what cannot be compared is said in the change itself.
func dryRunChanges(opts *uploadOptions, client *packs.Client, u pendingUpload, res *packs.UploadResult) []packs.Change {
	fail := func(err error) []packs.Change {
		var out []packs.Change
		for _, id := range res.Diff.Changed {
			out = append(out, packs.Change{ID: id, Note: "cannot compare with the active version: " + err.Error()})
		}
		return out
	}
	data, _, _, err := client.Download(opts.Ctx, res.Pack, 0, "")
	if err != nil {
		return fail(err)
	}
	old, err := packs.OpenArchive(bytes.NewReader(data), int64(len(data)), packs.Limits{})
	if err != nil {
		return fail(err)
	}
	now, err := packs.OpenArchive(u.body, u.size, packs.Limits{})
	if err != nil {
		return fail(err)
	}
	changes, err := packs.Changes(old, now, res.Diff.Changed)
	if err != nil {
		return fail(err)
	}
	return changes
}

// printChanges shows a dry run's changes per detection.
func printChanges(w io.Writer, changes []packs.Change) {
	for _, c := range changes {
		fmt.Fprintf(w, "  %s: %s\n", c.ID, c.String())
	}
}

func printUpload(w io.Writer, r *packs.UploadResult) {
	d := r.Diff
	counts := fmt.Sprintf("%d new, %d changed, %d removed, %d unchanged detections", len(d.New), len(d.Changed), len(d.Removed), d.Unchanged)
	short := packs.ShortDigest(r.Digest)
	switch {
	case r.DryRun && r.Status == packs.StatusCreated:
		act := "stay at " + versionName(r.Active)
		if r.Active == r.Version {
			act = "become active"
		}
		fmt.Fprintf(w, "%s (dry run): would be stored as version %d (digest %s) and %s; %d tests passed on the server\n  %s\n",
			r.Pack, r.Version, short, act, r.Tests, counts)
	case r.DryRun && r.Status == packs.StatusActivated:
		fmt.Fprintf(w, "%s (dry run): version %d has this content (digest %s) and would become active again\n  %s\n", r.Pack, r.Version, short, counts)
	case r.DryRun:
		fmt.Fprintf(w, "%s (dry run): unchanged: version %d has this content (digest %s)\n", r.Pack, r.Version, short)
		return
	case r.Status == packs.StatusCreated:
		state := "active"
		if r.Active != r.Version {
			state = "not active; active is " + versionName(r.Active)
		}
		fmt.Fprintf(w, "%s: stored version %d (%s), digest %s; %d tests passed on the server\n  %s\n", r.Pack, r.Version, state, short, r.Tests, counts)
	case r.Status == packs.StatusActivated:
		fmt.Fprintf(w, "%s: version %d has this content (digest %s) and is active again\n  %s\n", r.Pack, r.Version, short, counts)
	default:
		fmt.Fprintf(w, "%s: unchanged: version %d has this content (digest %s)\n", r.Pack, r.Version, short)
		return
	}
	for _, l := range []struct {
		what string
		ids  []string
	}{{"new", d.New}, {"changed", d.Changed}, {"removed", d.Removed}} {
		if len(l.ids) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", l.what, strings.Join(l.ids, ", "))
		}
	}
}

func versionName(v int) string {
	if v == 0 {
		return "none"
	}
	return fmt.Sprintf("version %d", v)
}
