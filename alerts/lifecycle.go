package alerts

import (
	"errors"
	"fmt"
	"slices"
)

// The lifecycle, in one table. An alert starts OPEN. A person moves it
// along; the store itself moves it only to reopen a RESOLVED alert that
// repeats within its dedup window. CLOSED is final: a repeat of a CLOSED
// alert (or of a RESOLVED one past its window) starts a new alert.
//
// Alerta is the reference for repeats: a repeat with the same severity is
// a duplicate (tally and last_seen grow, no history entry); a repeat with
// a worse severity is correlated (the severity rises, and history says
// so); a repeat never lowers the severity.
//
//	from      to        person  system  notes
//	OPEN      TRIAGED   yes     -       someone is on it
//	OPEN      RESOLVED  yes     yes     the system: a policy passes again on the resource
//	OPEN      CLOSED    yes     -
//	TRIAGED   OPEN      yes     -       back to the queue
//	TRIAGED   RESOLVED  yes     yes     (the same)
//	TRIAGED   CLOSED    yes     -
//	RESOLVED  OPEN      yes     yes     reopen: by hand, or a repeat within the dedup window
//	RESOLVED  CLOSED    yes     -
//	CLOSED    any       -       -       final
//	X         X         no-op   no-op   nothing changes, no history
//
// Reopening clears the acknowledgement (the alert needs a look again).
// A status change never resets the dedup window, which runs from
// first_seen (as in Panther).
var transitions = []struct {
	from, to Status
	person   bool
	system   bool
}{
	{StatusOpen, StatusTriaged, true, false},
	{StatusOpen, StatusResolved, true, true},
	{StatusOpen, StatusClosed, true, false},
	{StatusTriaged, StatusOpen, true, false},
	{StatusTriaged, StatusResolved, true, true},
	{StatusTriaged, StatusClosed, true, false},
	{StatusResolved, StatusOpen, true, true},
	{StatusResolved, StatusClosed, true, false},
}

// ErrTransition is a status change the lifecycle refuses.
var ErrTransition = errors.New("status change not allowed")

// TransitionError says which change was refused and what is allowed.
type TransitionError struct {
	From, To Status
	Allowed  []Status
}

func (e *TransitionError) Error() string {
	if e.From == StatusClosed {
		return fmt.Sprintf("the alert is CLOSED, which is final: it cannot become %s", e.To)
	}
	return fmt.Sprintf("an alert that is %s cannot become %s (allowed: %v)", e.From, e.To, e.Allowed)
}

func (e *TransitionError) Unwrap() error { return ErrTransition }

// CanTransition says whether by may move an alert from one status to
// another. The same status is allowed (and changes nothing).
func CanTransition(from, to Status, by By) error {
	if !slices.Contains(Statuses, to) {
		return &FieldError{Field: "status", Message: fmt.Sprintf("%q is not a status: use OPEN, TRIAGED, RESOLVED or CLOSED", to)}
	}
	if from == to {
		return nil
	}
	var allowed []Status
	for _, t := range transitions {
		if t.from != from {
			continue
		}
		ok := t.person && by == ByPerson || t.system && by != ByPerson
		if ok {
			allowed = append(allowed, t.to)
			if t.to == to {
				return nil
			}
		}
	}
	return &TransitionError{From: from, To: to, Allowed: allowed}
}

// active says whether a repeat joins an alert in this status.
func active(s Status) bool { return s == StatusOpen || s == StatusTriaged }
