package luavm

import "strings"

// An Aho-Corasick automaton of our own, for match.literals, the needles
// of match.patterns and the guards.
//
// We started with github.com/coregx/ahocorasick (v0.3.1, the one the
// module proxy serves here) and measured it against this one
// (BenchmarkAhoCorasick in aho_test.go): its IsMatch re-runs a "start
// byte" prefilter, one bytes.IndexByte per distinct first byte of the
// needles over the rest of the input, every time the automaton falls back
// to its start state: on a 64 KiB line of "-x" repeated (with the web
// rules' needles, one of which starts with "-") it took 0.4 s, this one
// 0.2 ms, and it is quadratic in the input, while a guard (which runs
// outside any Lua budget) must be linear whatever a log line holds. On a
// user agent this one is also about 5x faster (0.35 against 1.7 µs).
// Its SetPrefilter(false) does not reach IsMatch, and the only search that
// reports every needle (FindAllOverlapping) allocates a result per match.
// This one is a plain dense DFA over byte classes: one table lookup per
// input byte, every search linear, nothing allocated.

// automaton is a compiled set of needles.
type automaton struct {
	classes [256]uint8 // byte -> class; class 0: bytes in no needle
	nclass  int
	trans   []int32 // state*nclass + class -> next state
	// test is trans for isMatch: the next state premultiplied by nclass,
	// and -1 for a state where a needle ends (one comparison a byte).
	test     []int32
	out      [][]int32
	hasOut   []bool
	lens     []int // needle lengths
	maxLen   int
	numNeedl int
	// small holds the needles when there are at most maxSmall of them and
	// case does not matter to them: isMatch then calls strings.Contains
	// for each, which skips to a needle's first byte with vector
	// instructions, several times faster than a step of the automaton a
	// byte (BenchmarkSmallNeedles), and still linear in the input.
	small []string
}

// maxSmall is the most needles isMatch searches one by one.
const maxSmall = 4

func newAutomaton(needles []string) *automaton { return buildAutomaton(needles, false) }

// newFoldingAutomaton matches lower-case needles in ASCII text of any case:
// an upper-case letter is in the class of its lower-case one, so that the
// text need not be lower-cased (copied) first. Needles must be lower case.
func newFoldingAutomaton(needles []string) *automaton { return buildAutomaton(needles, true) }

func buildAutomaton(needles []string, fold bool) *automaton {
	a := &automaton{numNeedl: len(needles), lens: make([]int, len(needles))}
	if len(needles) > 0 && len(needles) <= maxSmall && (!fold || !hasLetters(needles)) {
		a.small = needles
	}
	// Byte classes: each byte that occurs in a needle gets its own class.
	a.nclass = 1
	for _, n := range needles {
		for i := 0; i < len(n); i++ {
			if a.classes[n[i]] == 0 {
				a.classes[n[i]] = uint8(a.nclass)
				a.nclass++
			}
		}
	}
	if fold {
		for c := 'a'; c <= 'z'; c++ {
			a.classes[c-'a'+'A'] = a.classes[c]
		}
	}
	// The trie, with goto edges in the dense table (-1: none yet).
	newState := func() int32 {
		s := int32(len(a.out))
		a.out = append(a.out, nil)
		for range a.nclass {
			a.trans = append(a.trans, -1)
		}
		return s
	}
	newState() // the root, 0
	for id, n := range needles {
		a.lens[id] = len(n)
		a.maxLen = max(a.maxLen, len(n))
		s := int32(0)
		for i := 0; i < len(n); i++ {
			c := int32(a.classes[n[i]])
			next := a.trans[s*int32(a.nclass)+c]
			if next < 0 {
				next = newState()
				a.trans[s*int32(a.nclass)+c] = next
			}
			s = next
		}
		a.out[s] = append(a.out[s], int32(id))
	}
	// Failure links in breadth-first order, folded into the table: a
	// missing edge goes where the failure state's edge goes.
	fail := make([]int32, len(a.out))
	queue := []int32{}
	for c := 0; c < a.nclass; c++ {
		next := a.trans[c]
		if next < 0 {
			a.trans[c] = 0
			continue
		}
		fail[next] = 0
		queue = append(queue, next)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		a.out[s] = append(a.out[s], a.out[fail[s]]...)
		for c := 0; c < a.nclass; c++ {
			next := a.trans[s*int32(a.nclass)+int32(c)]
			if next < 0 {
				a.trans[s*int32(a.nclass)+int32(c)] = a.trans[fail[s]*int32(a.nclass)+int32(c)]
				continue
			}
			fail[next] = a.trans[fail[s]*int32(a.nclass)+int32(c)]
			queue = append(queue, next)
		}
	}
	a.hasOut = make([]bool, len(a.out))
	for s := range a.out {
		a.hasOut[s] = len(a.out[s]) > 0
	}
	a.test = make([]int32, len(a.trans))
	for i, next := range a.trans {
		if a.hasOut[next] {
			a.test[i] = -1
		} else {
			a.test[i] = next * int32(a.nclass)
		}
	}
	return a
}

// isMatch reports whether any needle occurs in s.
func (a *automaton) isMatch(s string) bool {
	if a.small != nil {
		for _, n := range a.small {
			if strings.Contains(s, n) {
				return true
			}
		}
		return false
	}
	st := int32(0)
	t := a.test
	for i := 0; i < len(s); i++ {
		st = t[st+int32(a.classes[s[i]])]
		if st < 0 {
			return true
		}
	}
	return false
}

// present marks in seen (one per needle) the needles that occur in s,
// calling step (when not nil) every chunk of input so that a caller under
// a budget can check it: a state lists every needle ending there, so an
// input dense in needles costs up to one mark per needle per byte.
func (a *automaton) present(s string, seen []bool, step func()) {
	st := int32(0)
	n := int32(a.nclass)
	for i := 0; i < len(s); i++ {
		if step != nil && i&(chunk-1) == chunk-1 {
			step()
		}
		st = a.trans[st*n+int32(a.classes[s[i]])]
		if a.hasOut[st] {
			for _, id := range a.out[st] {
				seen[id] = true
			}
		}
	}
}

// hasLetters reports whether a needle holds an ASCII letter (whose case
// a folding automaton ignores).
func hasLetters(needles []string) bool {
	for _, n := range needles {
		for i := 0; i < len(n); i++ {
			if c := n[i] | 0x20; c >= 'a' && c <= 'z' {
				return true
			}
		}
	}
	return false
}

// chunk is how many input bytes present handles between calls of step.
const chunk = 1 << 16

// isASCII reports whether s is all ASCII (then lower-casing it is ASCII
// case folding, which a folding automaton does on the fly).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// leftmost returns the needle that starts leftmost in s (ties: the lower
// index), or -1.
func (a *automaton) leftmost(s string) int {
	best, at := -1, len(s)+1
	st := int32(0)
	n := int32(a.nclass)
	for i := 0; i < len(s); i++ {
		if i-a.maxLen+1 > at {
			break // no needle ending from here can start before at
		}
		st = a.trans[st*n+int32(a.classes[s[i]])]
		if a.hasOut[st] {
			for _, id := range a.out[st] {
				start := i + 1 - a.lens[id]
				if start < at || start == at && int(id) < best {
					best, at = int(id), start
				}
			}
		}
	}
	return best
}
