// Package coverage writes the Lua line coverage of panther test
// --coverage: a summary table per file (with the detections, helpers or
// data models it serves) and in total, LCOV (what genhtml, Codecov and
// the editors' coverage gutters read), JSON, and an annotated listing of
// one file, gcov style. The counting is done by the Lua runtime
// (engine/luavm, coverage.go); this package only reports.
package coverage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"panther/engine"
)

// Formats are the values of --coverage-format.
var Formats = []string{"table", "lcov", "json"}

// Totals are the line counts of one file, or of all.
type Totals struct {
	Lines   int `json:"lines"`
	Covered int `json:"covered"`
}

// Percent is the share of lines covered; 100 for a file without lines.
func (t Totals) Percent() float64 {
	if t.Lines == 0 {
		return 100
	}
	return 100 * float64(t.Covered) / float64(t.Lines)
}

// Total sums the files.
func Total(files []engine.FileCoverage) Totals {
	var t Totals
	for _, f := range files {
		t.Lines += len(f.Lines)
		t.Covered += f.Covered()
	}
	return t
}

// Table writes the summary: a row per file, in path order as a directory
// listing reads, and the total last.
func Table(w io.Writer, files []engine.FileCoverage) error {
	width := len("file")
	for _, f := range files {
		width = max(width, len(f.File))
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%-*s  %7s  %6s  %s\n", width, "file", "lines", "cover", "detections")
	for _, f := range files {
		t := Totals{Lines: len(f.Lines), Covered: f.Covered()}
		fmt.Fprintf(bw, "%-*s  %7s  %5.1f%%  %s\n", width, f.File, fmt.Sprintf("%d/%d", t.Covered, t.Lines), t.Percent(), ids(f.IDs))
	}
	t := Total(files)
	fmt.Fprintf(bw, "%-*s  %7s  %5.1f%%  (%d files)\n", width, "total", fmt.Sprintf("%d/%d", t.Covered, t.Lines), t.Percent(), len(files))
	return bw.Flush()
}

func ids(list []string) string {
	if len(list) <= 3 {
		return strings.Join(list, ", ")
	}
	return strings.Join(list[:3], ", ") + fmt.Sprintf(" and %d more", len(list)-3)
}

// LCOV writes the coverage as an LCOV tracefile: one record per file
// (SF), a DA line per line with statements, LF and LH.
func LCOV(w io.Writer, files []engine.FileCoverage) error {
	bw := bufio.NewWriter(w)
	for _, f := range files {
		fmt.Fprintf(bw, "TN:\nSF:%s\n", f.File)
		for i, l := range f.Lines {
			fmt.Fprintf(bw, "DA:%d,%d\n", l, f.Hits[i])
		}
		fmt.Fprintf(bw, "LF:%d\nLH:%d\nend_of_record\n", len(f.Lines), f.Covered())
	}
	return bw.Flush()
}

type jsonFile struct {
	File      string            `json:"file"`
	Kind      string            `json:"kind"`
	IDs       []string          `json:"ids"`
	Lines     int               `json:"lines"`
	Covered   int               `json:"covered"`
	Percent   float64           `json:"percent"`
	Uncovered []int             `json:"uncovered"`
	Hits      map[string]uint64 `json:"hits"`
}

// JSON writes {"files": [...], "total": {...}}: per file its lines,
// covered lines, percent, uncovered lines and hits per line.
func JSON(w io.Writer, files []engine.FileCoverage) error {
	out := struct {
		Files []jsonFile `json:"files"`
		Total struct {
			Totals
			Percent float64 `json:"percent"`
			Files   int     `json:"files"`
		} `json:"total"`
	}{Files: []jsonFile{}}
	for _, f := range files {
		jf := jsonFile{File: f.File, Kind: string(f.Kind), IDs: f.IDs, Lines: len(f.Lines), Covered: f.Covered(),
			Uncovered: []int{}, Hits: map[string]uint64{}}
		jf.Percent = round1(Totals{Lines: jf.Lines, Covered: jf.Covered}.Percent())
		for i, l := range f.Lines {
			jf.Hits[strconv.Itoa(l)] = f.Hits[i]
			if f.Hits[i] == 0 {
				jf.Uncovered = append(jf.Uncovered, l)
			}
		}
		out.Files = append(out.Files, jf)
	}
	out.Total.Totals = Total(files)
	out.Total.Percent = round1(out.Total.Totals.Percent())
	out.Total.Files = len(files)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func round1(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 1, 64), 64)
	return v
}

// Listing writes src annotated with its coverage, as gcov does: per line
// the times its statements ran, ##### where they never did, - where the
// line holds no statement.
func Listing(w io.Writer, f engine.FileCoverage, src []byte) error {
	hits := map[int]uint64{}
	for i, l := range f.Lines {
		hits[l] = f.Hits[i]
	}
	bw := bufio.NewWriter(w)
	t := Totals{Lines: len(f.Lines), Covered: f.Covered()}
	fmt.Fprintf(bw, "%s: %d of %d lines covered (%.1f%%)\n", f.File, t.Covered, t.Lines, t.Percent())
	src = bytes.TrimSuffix(src, []byte("\n"))
	for i, line := range strings.Split(string(src), "\n") {
		n := i + 1
		mark := "-"
		if h, ok := hits[n]; ok {
			mark = strconv.FormatUint(h, 10)
			if h == 0 {
				mark = "#####"
			}
		}
		fmt.Fprintf(bw, "%9s:%5d: %s\n", mark, n, line)
	}
	return bw.Flush()
}
