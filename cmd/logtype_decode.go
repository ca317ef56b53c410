package cmd

import "panther/parsers"

// decodeLogType compiles custom log type specs found among detections; it
// is nil until a decoder is wired in.
var decodeLogType func(data []byte, file string) (*parsers.LogType, error)
