//go:build !lake_pqarrow

package lake

import (
	"errors"

	"github.com/valyala/fastjson"

	"panther/lake/internal/parquet"
	"panther/parsers/event"
)

// Without the lake_pqarrow build tag the pqarrow candidate is not built:
// these are its empty places (formatArrow cannot be chosen).

type arrowRows struct{}

func (*arrowRows) reset()                      {}
func (*arrowRows) free()                       {}
func (*arrowRows) take(*arrowRows)             {}
func (*Writer) newArrowRows(*table) *arrowRows { return nil }

var errNoCandidate = errors.New("lake: built without the lake_pqarrow tag")

func (*encoder) arrowEvent(*rowBuf, *table, *event.Event)   { panic(errNoCandidate) }
func (*encoder) arrowRow(*rowBuf, *table, *fastjson.Object) { panic(errNoCandidate) }
func (*encoder) arrowValues(*rowBuf, *table, []Value)       { panic(errNoCandidate) }

func (*Writer) arrowWriteGroup(*parquet.File, *table, *rowBuf) error { return errNoCandidate }
func (*Writer) arrowFinish(*parquet.File) (int64, error)             { return 0, errNoCandidate }
func (*Writer) arrowDiscard(*parquet.File)                           {}

// candidateBuilt says whether the pqarrow candidate is in the build.
const candidateBuilt = false
