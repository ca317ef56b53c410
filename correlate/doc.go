// Package correlate runs correlation rules over the stream of rule
// matches, in event time: Panther's Sequence (ordered steps linked by
// transitions), Group (several rules matched on one key, in any order),
// Absence (a step or group that must not match), and Sigma v2 correlation
// documents, which package engine decodes onto the same two shapes
// (engine/sigma.go).
//
// What it consumes: every match of the rules a correlation names — the
// stream that feeds rule_matches — whether or not those rules raise alerts
// (a building block rule sets CreateAlert: false). Each match keeps its
// rule, time, p_row_id, title, dedup and alert_context and the key values
// its steps need; never the whole event, so state stays small.
//
// Order: inputs are not assumed to be in event time (a replay reads an
// archive's sources one after the other, and a whole-day file of one log
// type meets hourly files of another). Every arrival is joined with the
// matches already held, with every time constraint checked explicitly, so
// a chain fires whatever order its matches arrived in; what arrives is
// the same for any number of replay workers (the sink is ordered), so the
// output is too.
//
// Time: the watermark is the latest event time seen on the stream (every
// event, not only matches). An absence is decided once the watermark has
// passed its window's end by the lateness allowance (Options.Lateness:
// how far out of order the inputs may be), or at the end of the input;
// `serve` also advances time by the wall clock when no event arrives for
// a while (Engine.AdvanceTo). Held matches expire once the watermark has
// passed them by the lookback window plus the lateness.
//
// Pools: a step's matches are held in a pool (pool.go), shared by the
// steps of every rule that take the same rules' matches on the same key
// fields, so a busy signal named by ten rules is held once
// (BenchmarkSharedSignal). What a rule owns is only its chains waiting
// for an absence window and when each key fired.
//
// Bounds: per pool at most Options.MaxKeys open keys (an LRU: the least
// recently touched key is dropped, and counted), MaxPerKey matches a key
// (the oldest go first; more for a step that counts more) and MaxHeld in
// all. Stats reports them under the first rule using the pool.
//
// How the state is held, for speed (state.go): a match's fields and keys
// are computed once for every pool reading the same fields, and its data
// (rule, row, title, dedup, context) is shared by the pools' records and
// allocated with the first of them, its texts one string the collector
// need not scan: a held match is 2.4 heap objects, not 9.6
// (BenchmarkHeldHeap, which also reports what a collection takes more
// a held match), which matters because every collection marks every
// held match. Each pool's matches under one key are a slice sorted by
// time used as a deque: in-order arrivals append, the oldest
// leave by moving its head, a late arrival is inserted in place, and time
// ranges are found by binary search. Keys are in an intrusive LRU ring,
// and expiry pops a lazy min-heap of the keys by their oldest match
// rather than walking every key. BenchmarkHeld compares it, paired, with
// the sorted slices and walk it replaced (sorted_test.go), and
// TestHeldSameAsSorted holds both to the same state.
//
// Firing: a complete chain becomes a match of the correlation rule, whose
// optional Lua functions (title, dedup, severity, alert_context,
// destinations...) receive the correlation (see EvaluateCorrelation in
// package engine) and whose alerts go through the engine's Aggregator:
// firings with one dedup string within DedupPeriodMinutes are one alert.
// Its Chain lists the matches of the first firing.
package correlate
