package wal

import (
	"bufio"
	"io"
)

func newBufReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 1<<20) }
