package parsers

// NearMissError is what a parser returns for a record that has the shape of
// one of its log types but breaks that type's rules (a Zeek conn record
// without its conn id, a Zeek record whose ts is no time): the record most
// likely is of LogType, and Err says what is wrong with it. When no log type
// accepts a record, the classifier reports the near miss that fits best
// rather than the reason of an unrelated type.
type NearMissError struct {
	LogType string
	// Fit is how much of the record matches LogType, from 0 to 1 (the share
	// of its fields the type declares, say): of two near misses, the one
	// with the higher Fit is reported.
	Fit float64
	Err error
}

func (e *NearMissError) Error() string { return e.LogType + ": " + e.Err.Error() }

func (e *NearMissError) Unwrap() error { return e.Err }
