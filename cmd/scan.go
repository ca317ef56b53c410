package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/input"
	"panther/scan"
	"panther/tester"
)

func init() { register(func(app *App) *cobra.Command { return NewCmdScan(app, nil) }) }

// ScanOptions are what `panther scan` runs with: its streams and clock,
// and its flags.
type ScanOptions struct {
	IO  *IOStreams
	Now func() time.Time
	Ctx context.Context

	Inputs       []string
	Paths        []string // detections
	LoadSet      func(paths []string) (*engine.Set, error)
	Load         engine.LoadOptions
	Policies     []string
	Filters      []string
	Format       string
	FailOn       string // a severity, or "none"
	Lake         string
	Account      string
	Region       string
	TerraformDir string
	MaxFileBytes int64
	Workers      int
	MaxPerPolicy int
	Verbose      bool
}

const scanLong = `Run the policies (AnalysisType: policy) on cloud resources: AWS Config
snapshots and history files (as delivered to S3) and aws configservice output,
AWS CLI describe/get output, Terraform plans (terraform show -json), and
resources in Panther's shape. Files, folders, globs and - for stdin; gzip,
zstd and bzip2 are recognised by content.

Every enabled policy whose ResourceTypes include a resource's type runs on
it, unless one of its Suppressions (resource id patterns, * and ?) matches.
Each check passes, fails, or errors (a Lua error is never a pass).

With --lake, every check is written to the lake's compliance table, so that
panther search answers "when did this bucket become public"; an input
already in the lake (same content) is not written twice.

See docs/scan.md for what each input gives, and panther resourcetypes for
the resource types and their fields.

Exit codes: 0 ok; 1 when a policy at or above --fail-on fails, or a policy
errors; 2 usage; 3 when an input could not be read or the lake failed.`

// NewCmdScan builds `panther scan`; runF replaces scanRun in tests of the
// flags.
func NewCmdScan(app *App, runF func(*ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{IO: app.IO, Now: app.Now}
	var maxFile string
	c := &cobra.Command{
		Use:   "scan [PATH...|-]",
		Short: "Check cloud resources against policies: AWS Config, AWS CLI output, Terraform plans",
		Long:  scanLong,
		Example: `  panther scan 123456789012_Config_eu-west-1_ConfigSnapshot_*.json.gz
  terraform show -json plan.out > plan.json && panther scan plan.json --format sarif > scan.sarif
  aws iam get-credential-report > cred.json && panther scan cred.json --fail-on high
  aws ec2 describe-security-groups | panther scan - --region eu-west-1
  panther scan ./snapshots/ --lake ./lake`,
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Ctx = c.Context()
			opts.Inputs = args
			if len(args) == 0 {
				return usageErr("give the resources to scan (files, folders, globs, or - for stdin); try: panther scan testdata/scan")
			}
			if !slices.Contains(scan.Formats, opts.Format) {
				return usageErr("--format %q: one of %s", opts.Format, strings.Join(scan.Formats, ", "))
			}
			if opts.FailOn != "none" {
				sev, ok := engine.NormalizeSeverity(opts.FailOn)
				if !ok {
					return usageErr("--fail-on %q: one of info, low, medium, high, critical, none", opts.FailOn)
				}
				opts.FailOn = sev
			}
			if maxFile != "" {
				n, err := parseSize(maxFile)
				if err != nil {
					return usageErr("--max-file-size: %v", err)
				}
				opts.MaxFileBytes = int64(n)
			}
			opts.Paths, opts.Workers, opts.LoadSet = app.settings().Detections, app.settings().Workers, app.loadDetections
			var err error
			if opts.Load, err = app.loadOptions(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return scanRun(opts)
		},
	}
	scanFlags(c, opts, &maxFile)
	luaTimeoutFlag(c)
	return c
}

// scanFlags adds the flags of `panther scan`.
func scanFlags(c *cobra.Command, opts *ScanOptions, maxFile *string) {
	f := c.Flags()
	detectionsFlag(c)
	f.StringArrayVar(&opts.Policies, "policy", nil, "run only this policy, even if disabled (repeatable)")
	f.StringArrayVar(&opts.Filters, "filter", nil, "run only policies matching Key=V1,V2 or Key!=V (repeatable, as panther test)")
	f.StringVar(&opts.Format, "format", "pretty", "output: pretty, json, junit or sarif")
	f.StringVar(&opts.FailOn, "fail-on", "info", "exit 1 when a policy of this severity or higher fails (info, low, medium, high, critical, or none)")
	f.StringVar(&opts.Lake, "lake", "", "write every check to the compliance table of the Parquet lake in this folder")
	f.StringVar(&opts.Account, "account", "", "AccountId of inputs that do not carry it (most AWS CLI output)")
	f.StringVar(&opts.Region, "region", "", "Region of inputs that do not carry it (most AWS CLI output, Terraform plans without a provider region)")
	f.StringVar(&opts.TerraformDir, "terraform-dir", "", "where the .tf files of the plans are, to locate resources (default: each plan's folder)")
	f.StringVar(maxFile, "max-file-size", "", "largest input, decompressed (default 512MiB); one input is in memory at a time")
	f.Int("workers", 0, "parallel workers (default: all cores; setting workers)")
	bindSetting(c, "workers", "workers")
	f.IntVar(&opts.MaxPerPolicy, "max-per-policy", 20, "resources listed under each failing policy in pretty output (-1: all)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "also list the policies that passed")
}

// selectPolicies applies --policy and --filter (tester.Select); nil means
// every enabled policy.
func selectPolicies(set *engine.Set, ids, filters []string) ([]*engine.Detection, error) {
	if len(ids) == 0 && len(filters) == 0 {
		return nil, nil
	}
	flts, err := tester.ParseFilters(filters)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	out, err := tester.Select(set, tester.Selection{Kinds: []engine.Kind{engine.TypePolicy}, IDs: ids, Filters: flts})
	if err != nil {
		return nil, usageErr("--policy: %v", err)
	}
	if len(out) == 0 {
		return nil, usageErr("no policy matches --policy/--filter")
	}
	return out, nil
}

func scanRun(opts *ScanOptions) error {
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	sc, rep, err := scanSetUp(opts)
	if err != nil {
		return err
	}
	inputErrors := 0
	srcs, expandErrs := input.Expand(opts.Inputs)
	for _, e := range expandErrs {
		inputErrors++
		fmt.Fprintln(opts.IO.ErrOut, "panther: "+e.Error())
	}
	now := opts.Now().UTC()
	rd := scan.NewReader(scan.ReadOptions{MaxFileBytes: opts.MaxFileBytes, Account: opts.Account, Region: opts.Region,
		Now: func() time.Time { return now }, TerraformDir: opts.TerraformDir, Stdin: opts.IO.In, Digests: opts.Lake != "",
		OnError: func(err error) {
			var ie *scan.InputError
			if errors.As(err, &ie) {
				inputErrors++
			}
			fmt.Fprintln(opts.IO.ErrOut, "panther: "+err.Error())
		}})
	var lw *lake.Writer
	var sink *scan.LakeSink
	if opts.Lake != "" {
		reg, _ := parsers.NewRegistry() // no log tables: scans write rows only
		if lw, err = lake.Open(ctx, opts.Lake, reg, lake.Options{Now: opts.Now}); err != nil {
			return opErr(err)
		}
		sink = scan.NewLakeSink(scanLake{lw}, now)
	}
	// The largest live allocation of a scan is the input being read (a
	// pointer-free buffer, cheap for the collector); a collector that
	// runs at 50% growth instead of 100% keeps the peak near it: 289 MB
	// instead of 373 MB for a 130 MB snapshot, same CPU (BenchmarkScanBinary,
	// docs/scan.md). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	sum, err := scanEvaluate(ctx, sc, rep, rd, srcs, sink, lw)
	if err != nil {
		return err
	}
	return scanEnd(opts, rep, sum, sink, rd.Stats().Resources, inputErrors)
}

// scanSetUp loads the detections and makes the scanner and the reporter.
func scanSetUp(opts *ScanOptions) (*scan.Scanner, scan.Reporter, error) {
	set, err := opts.LoadSet(opts.Paths)
	if err != nil {
		return nil, nil, err
	}
	if n := set.Diagnostics.Errors(); n > 0 {
		for _, d := range set.Diagnostics {
			if d.Level == engine.LevelError {
				fmt.Fprintln(opts.IO.ErrOut, d.String())
			}
		}
		fmt.Fprintf(opts.IO.ErrOut, "panther: %d problem(s) in the detections; the rest run\n", n)
	}
	policies, err := selectPolicies(set, opts.Policies, opts.Filters)
	if err != nil {
		return nil, nil, err
	}
	sc := scan.NewScanner(set, scan.Options{Policies: policies, Workers: opts.Workers, Budget: opts.Load.Budget})
	if len(sc.Policies()) == 0 {
		return nil, nil, usageErr("no policy to run: the detections hold no enabled policy (AnalysisType: policy)")
	}
	rep, err := scan.NewReporter(opts.Format, opts.IO.Out, scan.ReportOptions{Color: opts.IO.Color, Verbose: opts.Verbose,
		MaxPerPolicy: opts.MaxPerPolicy, ToolVersion: Version})
	if err != nil {
		return nil, nil, usageErr("%v", err)
	}
	return sc, rep, nil
}

// scanEvaluate runs the policies over the sources, into the reporter and
// the lake.
func scanEvaluate(ctx context.Context, sc *scan.Scanner, rep scan.Reporter, rd *scan.Reader, srcs []input.Source,
	sink *scan.LakeSink, lw *lake.Writer) (*scan.Summary, error) {
	sum := scan.NewSummary()
	sum.Policies = len(sc.Policies())
	start := time.Now()
	if err := rep.Start(sc.Policies()); err != nil {
		return nil, opErr(err)
	}
	runErr := sc.Run(ctx, func(feed scan.Emit) error {
		return rd.ReadSources(ctx, srcs, feed)
	}, func(ev scan.Evaluated) error {
		sum.Add(ev)
		if sink != nil {
			if err := sink.Add(ev); err != nil {
				return fmt.Errorf("lake: %w", err)
			}
		}
		return rep.Add(ev)
	})
	sum.Elapsed = time.Since(start)
	if lw != nil {
		if runErr == nil {
			if runErr = sink.Finish(); runErr == nil {
				if err := lw.Close(); err != nil {
					runErr = fmt.Errorf("lake: %w", err)
				}
			}
		}
		if runErr != nil {
			lw.Abort()
		}
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return nil, runErr
		}
		return nil, opErr(runErr)
	}
	return sum, nil
}

// scanEnd reports the end of a scan and its exit code.
func scanEnd(opts *ScanOptions, rep scan.Reporter, sum *scan.Summary, sink *scan.LakeSink, resources, inputErrors int) error {
	errOut := opts.IO.ErrOut
	if err := rep.End(sum); err != nil {
		return opErr(err)
	}
	if opts.Format != "pretty" {
		fmt.Fprintln(errOut, sum.Line())
	}
	if sink != nil {
		msg := fmt.Sprintf("lake %s: %d compliance rows", opts.Lake, sink.Rows)
		if sink.Skipped > 0 {
			msg += fmt.Sprintf(" (%d checks of inputs already in the lake not written again)", sink.Skipped)
		}
		fmt.Fprintln(errOut, msg)
	}
	if resources == 0 && inputErrors == 0 {
		fmt.Fprintln(errOut, "panther: the inputs hold no resource of a type panther scan knows (panther resourcetypes lists them)")
	}
	if inputErrors > 0 {
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("%d input(s) could not be read", inputErrors)}
	}
	if sum.Errors > 0 || opts.FailOn != "none" && sum.FailedAtOrAbove(opts.FailOn) > 0 {
		return findings()
	}
	return nil
}

// scanLake adapts the lake writer to scan.LakeWriter.
type scanLake struct{ w *lake.Writer }

func (l scanLake) HasSource(d string) bool { return l.w.HasSource(d) }
func (l scanLake) WriteRow(table string, schema []parsers.Column, t time.Time, row []byte) error {
	return l.w.WriteRow(table, schema, t, row)
}
func (l scanLake) SourceDone(file, digest string, rows int64) error {
	return l.w.SourceDone(lake.SourceInfo{Digest: digest, File: file})
}
