// Package luavm is the Lua runtime of detections: a sandboxed gopher-lua
// state per worker, compiled chunks shared by all of them, a read-only
// event proxy, our modules (json, re, net, time, match, codec) and a time and memory
// budget on every call.
//
// Design choices, each measured (see the benchmarks in this package):
//
//   - Chunks are compiled once (Compile) and instantiated in every VM; an
//     LState is not goroutine-safe, so each worker owns a VM.
//   - Each detection runs in an environment of its own: an empty table whose
//     reads fall through to the detection's globals and then to the shared
//     sandbox, and whose writes fail once the file has loaded. Detections are
//     stateless between events by construction (module-level globals cannot
//     be reassigned), which is what makes a replay give the same alerts for
//     any number of workers. Library tables (string, table, math, ...) are
//     read-only proxies, so no detection can change another's string.find.
//   - The event is a userdata proxy over the parsed JSON (fastjson) that
//     converts a field only when a rule reads it. Building a Lua table of a
//     whole CloudTrail event costs several microseconds; most rules read
//     two or three fields. type(), pairs(), ipairs(), next(), # and
//     tostring() understand the proxies, so they behave like tables.
//   - The time budget is a context that a single watchdog cancels (see
//     budget.go), not a timer per call.
package luavm

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// DefaultBudget is the time a single Lua call may take. A detection needs
// microseconds; the budget exists to stop infinite loops, and it is large
// so that a loaded CI machine never turns a slow call into a flaky failure.
const DefaultBudget = time.Second

// Options configure a VM.
type Options struct {
	// Budget bounds every call; 0 means DefaultBudget and a negative value
	// disables the budget (for measurements only).
	Budget time.Duration
	// Print receives print() output; nil discards it.
	Print io.Writer
	// Now is the clock of time.now(); nil means time.Now.
	Now func() time.Time
	// Internal is what net.is_internal calls ours; nil means
	// DefaultNetworks (the private ranges).
	Internal *Networks
}

// VM is one sandboxed Lua state. It is not safe for concurrent use.
type VM struct {
	L       *lua.LState
	sandbox *lua.LTable
	opts    Options
	guard   *guard

	roMT     *lua.LTable // metatable of read-only table proxies
	objectMT *lua.LTable // event proxies: objects
	arrayMT  *lua.LTable // event proxies: arrays
	rootMT   *lua.LTable // the event itself

	print io.Writer
	depth int // nesting of Call (require inside a call)
	// sandboxNames are the sandbox's globals, copied into each environment.
	sandboxNames []sandboxName
	res          *regexCache
	nets         *cidrCache
	patterns     *patternCache
	alloc        int64                   // bytes the built-ins allocated in this call (limits.go)
	memo         map[memoKey]lua.LValue  // codec results for the current event (codec.go)
	live         map[liveKey]*matcherDef // guards' matchers of helper lists (guard_match.go)
	scans        *scans                  // guards' tests that share a scan (guard_shared.go)
}

// New builds a VM with the sandbox docs/detections.md
// describes: base (without dofile,
// loadfile, load, loadstring, getfenv, setfenv, module, collectgarbage),
// string, table, math, and our json, re, net and time modules. Close it
// when done.
func New(opts Options) *VM {
	if opts.Budget == 0 {
		opts.Budget = DefaultBudget
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Internal == nil {
		opts.Internal = defaultNetworks
	}
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       200,
		RegistrySize:        1024 * 4,
		RegistryMaxSize:     1024 * 256,
		IncludeGoStackTrace: false,
	})
	vm := &VM{L: L, opts: opts, print: opts.Print, res: newRegexCache(), nets: newCIDRCache(), patterns: newPatternCache(),
		memo: map[memoKey]lua.LValue{}, live: map[liveKey]*matcherDef{}}
	vm.buildSandbox()
	if opts.Budget > 0 {
		vm.guard = &guard{budget: opts.Budget}
		ctx := newBudgetCtx()
		vm.guard.ctx.Store(ctx)
		L.SetContext(ctx)
		dog.add(vm.guard)
	}
	return vm
}

// Close releases the VM.
func (vm *VM) Close() {
	if vm.guard != nil {
		dog.remove(vm.guard)
	}
	vm.L.Close()
}

// SetPrint redirects print() output (nil discards it).
func (vm *VM) SetPrint(w io.Writer) { vm.print = w }

// Error is a failed Lua call: a runtime error, a timeout or the memory
// limit. Message starts with the file and line when Lua knows them.
type Error struct {
	Message string
	Cause   error // ErrTimeout, ErrMemory, or nil for a Lua error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Cause }

// IsTimeout reports whether err is a budget overrun.
func IsTimeout(err error) bool { return errors.Is(err, ErrTimeout) }

// Call calls fn with args under the budget and returns its first result.
func (vm *VM) Call(fn *lua.LFunction, args ...lua.LValue) (lua.LValue, error) {
	L := vm.L
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	outer := vm.depth == 0 && vm.guard != nil
	if vm.depth == 0 {
		vm.alloc = 0
	}
	vm.depth++
	if outer {
		vm.guard.seq.Add(1)
	}
	err := L.PCall(len(args), 1, nil)
	if outer {
		vm.guard.seq.Add(1)
	}
	vm.depth--
	if err != nil {
		L.SetTop(top)
		return lua.LNil, vm.callError(err)
	}
	ret := L.Get(-1)
	L.SetTop(top)
	return ret, nil
}

func (vm *VM) callError(err error) error {
	msg := err.Error()
	if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
		msg = ae.Object.String()
	}
	msg = strings.TrimSpace(msg)
	if vm.guard != nil {
		ctx := vm.guard.ctx.Load()
		if cause := ctx.Err(); cause != nil {
			// The context is spent: give the state a fresh one.
			fresh := newBudgetCtx()
			vm.guard.ctx.Store(fresh)
			vm.L.SetContext(fresh)
			where := ""
			if i := strings.Index(msg, ": "+cause.Error()); i > 0 {
				where = msg[:i] + ": "
			}
			if errors.Is(cause, ErrTimeout) {
				return &Error{Message: fmt.Sprintf("%s%v (%s per call)", where, cause, vm.opts.Budget), Cause: cause}
			}
			return &Error{Message: where + cause.Error(), Cause: cause}
		}
	}
	return &Error{Message: msg}
}

// Env is an instantiated chunk: its globals after loading.
type Env struct {
	vm     *VM
	Chunk  *Chunk
	env    *lua.LTable // what the chunk's functions see
	vars   *lua.LTable // the chunk's globals
	sealed bool
	// Result is what the chunk returned, if anything.
	Result lua.LValue
}

// Requirer resolves require(name) for the environments that share it: a
// module runs once per Requirer and its result is cached.
type Requirer struct {
	vm      *VM
	lookup  func(name string) (*Chunk, error)
	cache   map[string]lua.LValue
	envs    map[string]*Env
	loading map[string]bool
}

// NewRequirer makes a require cache over the named chunks: lookup returns
// the chunk of a name, nil when there is none, or why it has none (a
// file compiled on first use that does not compile).
func (vm *VM) NewRequirer(lookup func(name string) (*Chunk, error)) *Requirer {
	return &Requirer{vm: vm, lookup: lookup, cache: map[string]lua.LValue{}, envs: map[string]*Env{}, loading: map[string]bool{}}
}

// Module returns the environment of a module loaded through r, if any.
func (r *Requirer) Module(name string) (*Env, bool) {
	e, ok := r.envs[name]
	return e, ok
}

// Override replaces what require(name) returns for the users of r (a mock
// of a whole module in a test).
func (r *Requirer) Override(name string, v lua.LValue) { r.cache[name] = v }

func (r *Requirer) require(L *lua.LState) int {
	name := L.CheckString(1)
	if v, ok := r.cache[name]; ok {
		L.Push(v)
		return 1
	}
	if builtin := r.vm.sandbox.RawGetString(name); builtin != lua.LNil && IsBuiltinModule(name) {
		L.Push(builtin)
		return 1
	}
	if r.loading[name] {
		L.RaiseError("require(%q): circular require", name)
	}
	chunk, err := r.lookup(name)
	if err != nil {
		L.RaiseError("require(%q): %s", name, err.Error())
	}
	if chunk == nil {
		L.RaiseError("require(%q): no global helper with GlobalID %q", name, name)
	}
	r.loading[name] = true
	env, err := r.vm.load(chunk, r)
	delete(r.loading, name)
	if err != nil {
		L.RaiseError("require(%q): %s", name, err.Error())
	}
	v := env.Result
	if v == lua.LNil || v == nil {
		// A helper written as a file of global functions (the Panther
		// habit) is its globals.
		v = r.vm.readOnly(env.vars)
	}
	r.cache[name] = v
	r.envs[name] = env
	L.Push(v)
	return 1
}

// IsBuiltinModule reports whether require(n) returns one of the sandbox's
// modules rather than a helper.
func IsBuiltinModule(n string) bool {
	switch n {
	case "json", "re", "net", "time", "match", "codec", "string", "table", "math":
		return true
	}
	return false
}

// Load runs chunk in a fresh environment whose require goes through req,
// then seals it: functions defined, nothing assignable anymore.
func (vm *VM) Load(chunk *Chunk, req *Requirer) (*Env, error) {
	return vm.load(chunk, req)
}

func (vm *VM) load(chunk *Chunk, req *Requirer) (*Env, error) {
	L := vm.L
	// The environment is one plain table holding the sandbox's names and
	// the file's globals: a global read is one lookup. Functions cannot
	// assign globals (checked at compile time, checkGlobalWrites); new
	// globals after loading fail here, and _G is read-only.
	e := &Env{vm: vm, Chunk: chunk, vars: L.CreateTable(0, len(vm.sandboxNames)+8)}
	e.env = e.vars
	for _, kv := range vm.sandboxNames {
		e.vars.RawSetString(kv.name, kv.val)
	}
	envMT := L.NewTable()
	envMT.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		if e.sealed {
			k := L.Get(2)
			L.RaiseError("assignment to global %q after the file loaded: detections keep no state between events (use local)", k.String())
		}
		L.RawSet(e.vars, L.Get(2), L.Get(3))
		return 0
	}))
	envMT.RawSetString("__metatable", lua.LString("environment"))
	L.SetMetatable(e.vars, envMT)
	e.vars.RawSetString("_G", vm.readOnly(e.vars))
	if req != nil {
		e.vars.RawSetString("require", L.NewFunction(req.require))
	}
	if chunk.cover != nil {
		e.vars.RawSetString(coverName, L.NewFunction(chunk.cover.fn))
	}
	fn := L.NewFunctionFromProto(chunk.proto)
	fn.Env = e.env
	ret, err := vm.Call(fn)
	e.sealed = true
	if err != nil {
		return nil, err
	}
	e.Result = ret
	return e, nil
}

// Func returns the global function name of e, or nil.
func (e *Env) Func(name string) *lua.LFunction {
	if f, ok := e.vars.RawGetString(name).(*lua.LFunction); ok {
		return f
	}
	return nil
}

// Get returns the global name of e (not the sandbox's).
func (e *Env) Get(name string) lua.LValue { return e.vars.RawGetString(name) }

// Set replaces a global of e; tests use it for mocks.
func (e *Env) Set(name string, v lua.LValue) { e.vars.RawSetString(name, v) }

// Globals lists the names e defines (not the sandbox's).
func (e *Env) Globals() []string {
	var out []string
	e.vars.ForEach(func(k, v lua.LValue) {
		s, ok := k.(lua.LString)
		if !ok || s == "_G" || s == "require" || s == coverName || e.vm.sandbox.RawGetString(string(s)) == v {
			return
		}
		out = append(out, string(s))
	})
	return out
}

type sandboxName struct {
	name string
	val  lua.LValue
}

// Value returns what require(name) returned through r, if it ran.
func (r *Requirer) Value(name string) (lua.LValue, bool) {
	v, ok := r.cache[name]
	return v, ok
}
