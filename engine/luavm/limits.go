package luavm

import (
	lua "github.com/yuin/gopher-lua"
)

// Limits of the Go side of a call.
//
// gopher-lua checks the budget context between VM instructions, but one
// instruction can be a call of a built-in written in Go — a pattern match,
// a gsub, a string.format — that runs for as long as its input makes it.
// So every built-in that loops checks the budget itself (vm.check, every
// few thousand steps: an atomic load and a channel poll), and every
// built-in that allocates charges what it builds to the call (vm.charge):
// one call's built-ins may build MaxCallAlloc bytes in all, results and
// intermediates, whatever the number of operations. A refusal is a Lua
// error naming the function, so it is a rule error like any other; it is
// checked before the allocation, so the heap never holds the refused
// result.

// MaxCallAlloc bounds what the built-ins may allocate in one call.
const MaxCallAlloc = 64 << 20

// checkEvery is how many steps of a Go loop run between budget checks.
const checkEvery = 1 << 12

// spent reports whether the running call's budget is used up (or the call
// was cancelled for memory).
func (vm *VM) spent() bool {
	if vm.guard == nil {
		return false
	}
	select {
	case <-vm.guard.ctx.Load().done:
		return true
	default:
		return false
	}
}

// check raises the cancellation of the running call, if any. Call.callError
// turns the error into the timeout (or memory) error of the call.
func (vm *VM) check(L *lua.LState) {
	if vm.spent() {
		L.RaiseError("%v", vm.guard.ctx.Load().Err())
	}
}

// charge counts n bytes that fn is about to allocate against the call, and
// raises an error instead when the call would pass MaxCallAlloc.
func (vm *VM) charge(L *lua.LState, fn string, n int64) {
	if n < 0 || vm.alloc+n > MaxCallAlloc {
		L.RaiseError("%s: built-ins would allocate over %d MiB in this call (the limit of one call)", fn, MaxCallAlloc>>20)
	}
	vm.alloc += n
}

// chargeResult is charge for a result of n bytes, which must also be at
// most MaxString.
func (vm *VM) chargeResult(L *lua.LState, fn string, n int64) {
	if n > MaxString {
		L.RaiseError("%s: result of %d bytes is over the %d byte limit", fn, n, MaxString)
	}
	vm.charge(L, fn, n)
}

// stepper counts the steps of a Go loop and checks the budget every
// checkEvery of them.
type stepper struct {
	vm *VM
	L  *lua.LState
	n  int
}

func (s *stepper) step(n int) {
	s.n += n
	if s.n >= checkEvery {
		s.n = 0
		s.vm.check(s.L)
	}
}
