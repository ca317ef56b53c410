package luavm

// ModuleDoc documents one of our Lua modules for the reference
// (docs/reference/lua.md, written by make docs). TestModuleDocs holds it to
// the functions the sandbox really opens: a function added without a doc,
// or a doc left after its function went, fails it.
type ModuleDoc struct {
	Name  string
	Doc   string
	Funcs []FuncDoc
}

// FuncDoc is one function: its call form, what it returns, what it does.
type FuncDoc struct {
	Name    string
	Call    string // as written in Lua: "re.find_all(p, s [, n])"
	Returns string
	Doc     string
}

// ModuleDocs are the modules of the sandbox, each a global and what
// require(name) returns, in the order the reference shows them.
var ModuleDocs = []ModuleDoc{
	{Name: "json", Doc: "JSON text to Lua values and back. Objects of the event encode as they are.",
		Funcs: []FuncDoc{
			{"encode", "json.encode(v)", "string", "v as JSON: tables with keys 1..n are arrays, other tables objects; the event and its parts encode as the JSON they hold. Raises an error for a value JSON cannot hold (a function, NaN, a cycle) and for a result over the string limit."},
			{"decode", "json.decode(s)", "value", "the Lua value of the JSON text s (objects and arrays as tables, null as nil). Raises an error naming the position when s is not JSON."},
		}},
	{Name: "re", Doc: "Regular expressions in Go's RE2 syntax (no backreferences; linear time), compiled once per worker and cached. Use them for anything Lua patterns cannot say; Lua's own string.find/match also work, on a step-counting matcher under the time budget.",
		Funcs: []FuncDoc{
			{"match", "re.match(p, s)", "boolean", "whether p matches anywhere in s."},
			{"find", "re.find(p, s)", "string or nil", "the leftmost match of p in s."},
			{"find_all", "re.find_all(p, s [, n])", "list of strings", "every match of p in s, at most n when n is given and not negative."},
			{"groups", "re.groups(p, s)", "table or nil", "the leftmost match: [1] the whole match, [2]... each group (nil when a group took no part), and named groups (?P<name>...) by name too."},
			{"replace", "re.replace(p, s, r)", "string", "s with every match of p replaced by r, where $1 or ${name} stand for a group."},
			{"split", "re.split(p, s [, n])", "list of strings", "s cut at each match of p, at most n parts when n is given and not negative (Go's Regexp.Split)."},
			{"quote", "re.quote(s)", "string", "s with every regular expression metacharacter escaped, to match it literally."},
		}},
	{Name: "net", Doc: "IP addresses and networks. An argument that is not an address (nil, a number, \"unknown\") gives false, so rules need no guard before calling.",
		Funcs: []FuncDoc{
			{"is_ip", "net.is_ip(s)", "boolean", "whether s is an IPv4 or IPv6 address."},
			{"is_ipv4", "net.is_ipv4(s)", "boolean", "whether s is an IPv4 address (an IPv4-mapped IPv6 address counts)."},
			{"is_ipv6", "net.is_ipv6(s)", "boolean", "whether s is an IPv6 address and not a mapped IPv4 one."},
			{"is_private", "net.is_private(ip)", "boolean", "whether ip is private (RFC 1918, fc00::/7), loopback, link-local, CGNAT (100.64.0.0/10) or unspecified: the kind of address, whoever owns it."},
			{"is_internal", "net.is_internal(ip)", "boolean", "whether ip is in the internal_networks setting (.panther.yml; default: the private ranges): your networks, public ranges included."},
			{"in_cidr", "net.in_cidr(ip, cidr)", "boolean", "whether ip is in cidr, which may be one CIDR (or address) or a list of them. Raises an error for a CIDR that does not parse."},
		}},
	{Name: "match", Doc: "Matchers compiled once in Go (and shared by every worker) for what rules of web and network logs wrote as Lua loops: many substrings or patterns against one field, a value in a long list, a name under one of many domains. Build them at the top of the file; a rule that opens with one of their :test calls gets a guard the engine checks in Go (docs/detection-performance.md).",
		Funcs: []FuncDoc{
			{"literals", "match.literals(list [, {ignore_case = true}])", "matcher", "a matcher of the plain substrings in list (strings, or tables whose first element is the string: {needle, what it means, ...}), found in one Aho-Corasick pass: m:test(s) whether one occurs in s, m:first(s) the first in list order that does (and its 1-based index), m:find(s) the leftmost, m:all(s) every one that occurs, in list order. Anything but a string is matched as \"\". Compiled once per distinct list (a call reads the list to find its matcher)."},
			{"patterns", "match.patterns(list)", "matcher", "a matcher of Go regexps, each an expression or {name, pattern, needles}: the regexp runs only on inputs holding one of its needles (given, or read off the expression when it requires literals). m:test(s), m:first(s) the name (or position) of the first entry in list order that matches, m:all(s) the names of those that match."},
			{"set", "match.set(list [, {ignore_case = true, suffix = true}])", "matcher", "an exact lookup of the strings in list: m:has(s) is the entry s is, or with suffix the longest entry s is or is a name under (\"a.b.example.com\" is under \"example.com\"); nil when none."},
		}},
	{Name: "codec", Doc: "Decoding what clients and servers encode, for matching. Every function returns \"\" for anything but a string (nil included) and never raises; the results are kept for the event being evaluated, so the rules of one event decode a field once.",
		Funcs: []FuncDoc{
			{"unescape", "codec.unescape(s [, lower])", "string", "s with %XX, %u00XX, \\xHH, '+' and the overlong UTF-8 forms of '.', '/' and '\\' undone, three rounds (double encoding), lower-cased when lower is true."},
			{"url_decode", "codec.url_decode(s)", "string", "s with %XX undone once and '+' as a space."},
			{"html_unescape", "codec.html_unescape(s)", "string", "s with HTML character references (&amp;lt; &amp;#39; ...) undone."},
			{"path", "codec.path(s)", "string", "the request path as a server resolves it: query and fragment dropped, unescaped, backslashes as slashes, '.' and '..' segments resolved and repeated slashes collapsed."},
		}},
	{Name: "time", Doc: "Times as seconds since the epoch (numbers, fractions kept), in UTC.",
		Funcs: []FuncDoc{
			{"now", "time.now()", "number", "the current time; in tests, fixtures and policy scans the run's fixed clock, so results repeat."},
			{"parse", "time.parse(s [, layout])", "number, or nil and a message", "s read as RFC 3339 and its relaxed forms (a space for T, no zone, fractions), or with layout: a Go layout (\"2006-01-02 15:04\"), a strftime pattern (\"%d/%b/%Y:%H:%M:%S %z\"), or one of the time formats of custom log types (rfc3339, unix, unix_ms, ...)."},
			{"format", "time.format(t [, layout])", "string", "t written in RFC 3339 (UTC), or with a Go layout or strftime pattern."},
			{"hour", "time.hour(t)", "number", "the hour of t, 0-23."},
			{"weekday", "time.weekday(t)", "number", "the day of the week of t, 0 = Sunday."},
			{"date", "time.date(t)", "string", "the date of t, YYYY-MM-DD."},
		}},
}

// EventDocs document the event's methods (the event is read-only; fields
// read as event.name).
var EventDocs = []FuncDoc{
	{"get", "event:get(k1, k2, ...)", "value or nil", "the value at that path, nil as soon as a step is missing: strings index objects, numbers arrays (1-based). event:deep_get is the same function, under Panther's name."},
	{"udm", "event:udm(name)", "value or nil", "the field that the log type's data model maps name to (a path or a Lua method of the model); nil when the type has no model or the model no such name."},
}
