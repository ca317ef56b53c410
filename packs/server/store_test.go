package server

import (
	"errors"
	"net/http"
	"testing"
)

// The store speaks in plain errors, not HTTP: ErrNotFound, ErrConflict.
func TestStoreErrorsArePlain(t *testing.T) {
	t.Parallel()
	st, err := OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Get("Nope"); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		t.Errorf("Get of a missing pack: %v", err)
	}
	if _, err := st.Version("Nope", 3); !errors.Is(err, ErrNotFound) {
		t.Errorf("Version of a missing pack: %v", err)
	}
	var se *StoreError
	if _, err := st.Active("Nope"); !errors.As(err, &se) || se.Hint == "" {
		t.Errorf("Active of a missing pack: %v", err)
	}
	if err := st.Delete("Nope", 1, 0, who{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of a missing pack: %v", err)
	}
	// The handlers map them: 404 and 409.
	for err, status := range map[error]int{notFound("x"): http.StatusNotFound, conflict("", "y"): http.StatusConflict} {
		if got := apiErrorOf(err); got == nil || got.status != status {
			t.Errorf("%v: %+v, want status %d", err, got, status)
		}
	}
}
