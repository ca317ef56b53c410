package syslog

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// sshdType is the schema of the sshd object; its fields are in the package
// doc.
const sshdType = "struct<event:string,user:string,invalid_user:boolean,src_ip:string,src_port:bigint," +
	"src_host:string,method:string,protocol:string,key_type:string,key_fingerprint:string,reason:string,preauth:boolean,repeated:bigint>"

type sshdInfo struct {
	event, user, srcIP, srcPort, srcHost, method, protocol, keyType, keyFP, reason string
	invalidUser, preauth                                                           bool
	repeated                                                                       int
}

// sshdFields returns the sshd object of msg, or nil when msg is not one of
// the messages it knows. subsystem is the TAG's: RedHat-era hosts wrote
// PAM's lines under sshd(pam_unix)[pid], without the "pam_unix(sshd:auth): "
// that PAM puts in front of them today.
func sshdFields(a *fastjson.Arena, msg, subsystem string) *fastjson.Value {
	var in sshdInfo
	repeated := 0
	if n, inner, ok := repeatedMessage(msg); ok {
		repeated, msg = n, inner
	}
	var ok bool
	if strings.HasPrefix(subsystem, "pam_") {
		ok = in.pamBody(strings.TrimRight(msg, " "))
	} else {
		ok = in.parse(msg)
	}
	if !ok {
		return nil
	}
	if repeated == 0 {
		repeated = in.repeated
	}
	obj := a.NewObject()
	obj.Set("event", a.NewString(in.event))
	setString(a, obj, "user", in.user)
	if in.invalidUser {
		obj.Set("invalid_user", a.NewTrue())
	}
	setString(a, obj, "src_ip", in.srcIP)
	if in.srcPort != "" {
		n, _ := strconv.Atoi(in.srcPort) // checked by port()
		obj.Set("src_port", a.NewNumberInt(n))
	}
	setString(a, obj, "src_host", in.srcHost)
	setString(a, obj, "method", in.method)
	setString(a, obj, "protocol", in.protocol)
	setString(a, obj, "key_type", in.keyType)
	setString(a, obj, "key_fingerprint", in.keyFP)
	setString(a, obj, "reason", in.reason)
	if in.preauth {
		obj.Set("preauth", a.NewTrue())
	}
	if repeated > 0 {
		obj.Set("repeated", a.NewNumberInt(repeated))
	}
	return obj
}

// repeatedMessage reads rsyslog's reduction of repeated messages,
// "message repeated 5 times: [ Failed password for root from ...]".
func repeatedMessage(msg string) (n int, inner string, ok bool) {
	r, ok := strings.CutPrefix(msg, "message repeated ")
	if !ok {
		return 0, "", false
	}
	count, r, ok := strings.Cut(r, " times: [")
	if !ok || count == "" || len(count) > 9 || !allDigits(count) || !strings.HasSuffix(r, "]") {
		return 0, "", false
	}
	n, _ = strconv.Atoi(count)
	return n, strings.TrimPrefix(r[:len(r)-1], " "), true
}

func (in *sshdInfo) parse(msg string) bool {
	m := strings.TrimRight(msg, " ")
	if r, ok := strings.CutSuffix(m, "[preauth]"); ok {
		in.preauth, m = true, strings.TrimRight(r, " ")
	}
	for _, p := range [...]string{"error: ", "fatal: "} {
		if r, ok := strings.CutPrefix(m, p); ok {
			m = r
		}
	}
	if m == "" {
		return false
	}
	if in.known(m) {
		return true
	}
	*in = sshdInfo{preauth: in.preauth}
	return in.other(m)
}

// known reads the messages of OpenSSH that detections ask about, across
// its versions (the package doc lists them).
func (in *sshdInfo) known(m string) bool {
	switch m[0] {
	case 'A':
		if r, ok := strings.CutPrefix(m, "Accepted "); ok {
			in.event = "accepted"
			return in.auth(r)
		}
		if r, ok := strings.CutPrefix(m, "Address "); ok {
			// "Address 192.0.2.1 maps to host.example.com, but this does
			// not map back to the address - POSSIBLE BREAK-IN ATTEMPT!"
			ip, r, ok := strings.Cut(r, " maps to ")
			host, _, ok2 := strings.Cut(r, ", but this does not map back")
			if !ok || !ok2 {
				return false
			}
			in.event, in.srcIP, in.srcHost = "reverse_mapping_failed", ip, host
			return true
		}
	case 'F':
		if r, ok := strings.CutPrefix(m, "Failed "); ok {
			in.event = "failed"
			return in.auth(r)
		}
	case 'I':
		// "Illegal user" is OpenSSH before 3.9 for "Invalid user".
		for _, p := range [...]string{"Invalid user ", "Illegal user "} {
			if r, ok := strings.CutPrefix(m, p); ok {
				in.event, in.invalidUser = "invalid_user", true
				return in.from(r, true)
			}
		}
	case 'U':
		if r, ok := strings.CutPrefix(m, "User "); ok {
			i := strings.LastIndex(r, " not allowed because ")
			if i < 0 {
				return false
			}
			in.event, in.reason = "not_allowed", r[i+len(" not allowed because "):]
			return in.from(r[:i], true)
		}
		if r, ok := strings.CutPrefix(m, "Unable to negotiate with "); ok {
			in.event = "negotiation_failed"
			return in.peer(r, false)
		}
	case 'm':
		if r, ok := strings.CutPrefix(m, "maximum authentication attempts exceeded for "); ok {
			in.event = "max_auth_attempts"
			r = in.invalid(r)
			i := strings.LastIndex(r, " from ")
			if i < 0 {
				return false
			}
			in.user = r[:i]
			var ok bool
			if r, ok = in.hostPort(r[i+len(" from "):]); !ok {
				return false
			}
			in.protocol = strings.TrimPrefix(r, " ")
			return true
		}
	case 'D':
		if r, ok := strings.CutPrefix(m, "Disconnecting: Too many authentication failures"); ok {
			// OpenSSH before 7.x: "... for root", "... for invalid user x".
			in.event, in.reason = "max_auth_attempts", "Too many authentication failures"
			if r, ok := strings.CutPrefix(r, " for "); ok {
				in.user = in.invalid(r)
			}
			return true
		}
		if r, ok := strings.CutPrefix(m, "Disconnecting "); ok {
			if !strings.HasSuffix(r, ": Too many authentication failures") {
				return false
			}
			in.event = "max_auth_attempts"
			return in.peer(r, true)
		}
		if r, ok := strings.CutPrefix(m, "Disconnected from "); ok {
			in.event = "disconnected"
			return in.peer(r, true)
		}
		if r, ok := strings.CutPrefix(m, "Did not receive identification string from "); ok {
			in.event = "no_identification"
			return in.peer(r, false) || in.host(r)
		}
	case 'R':
		if r, ok := strings.CutPrefix(m, "Received disconnect from "); ok {
			in.event = "disconnected"
			return in.peer(r, false) || in.peerNoPort(r)
		}
	case 'r':
		if r, ok := strings.CutPrefix(m, "reverse mapping checking getaddrinfo for "); ok {
			// "... for host.example.com [192.0.2.1] failed - POSSIBLE BREAK-IN ATTEMPT!"
			host, r, ok := strings.Cut(r, " [")
			ip, _, ok2 := strings.Cut(r, "] failed")
			if !ok || !ok2 || host == "" || ip == "" {
				return false
			}
			in.event, in.srcIP, in.srcHost = "reverse_mapping_failed", ip, host
			return true
		}
	case 'N':
		if r, ok := strings.CutPrefix(m, "Nasty PTR record \""); ok {
			// Nasty PTR record "1.2.3.4" is set up for 192.0.2.1, ignoring
			host, r, ok := strings.Cut(r, "\" is set up for ")
			ip, _, ok2 := strings.Cut(r, ", ignoring")
			if !ok || !ok2 {
				return false
			}
			in.event, in.srcIP, in.srcHost = "reverse_mapping_failed", ip, host
			return true
		}
	case 'C':
		if r, ok := strings.CutPrefix(m, "Connection closed by "); ok {
			in.event = "connection_closed"
			return in.peer(r, true) || in.peerNoPort(r)
		}
		if r, ok := strings.CutPrefix(m, "Connection reset by "); ok {
			in.event = "connection_reset"
			return in.peer(r, true) || in.peerNoPort(r)
		}
		if r, ok := strings.CutPrefix(m, "Connection from "); ok {
			in.event = "connection"
			_, ok := in.hostPort(r)
			return ok
		}
	case 'T':
		if r, ok := strings.CutPrefix(m, "Timeout before authentication for "); ok {
			in.event = "auth_timeout"
			return in.peer(r, false) || in.host(r)
		}
	case 'B':
		if r, ok := strings.CutPrefix(m, "Bad protocol version identification "); ok {
			// "... 'GET / HTTP/1.1' from 192.0.2.1 port 9"
			i := strings.LastIndex(r, " from ")
			if i < 0 {
				return false
			}
			in.event, in.reason = "bad_identification", strings.Trim(r[:i], "'")
			return in.peer(r[i+len(" from "):], false) || in.host(r[i+len(" from "):])
		}
	case 'b':
		if r, ok := strings.CutPrefix(m, "banner exchange: Connection from "); ok {
			// "... 192.0.2.1 port 9: invalid format"
			in.event = "bad_identification"
			return in.peer(r, false)
		}
	case 'd':
		if r, ok := strings.CutPrefix(m, "drop connection #"); ok {
			// OpenSSH 8.9+: "drop connection #3 from [192.0.2.1]:50022 on
			// [198.51.100.2]:22 past MaxStartups" (9.8: "penalty: ...")
			_, r, ok := strings.Cut(r, " from [")
			ip, r, ok2 := strings.Cut(r, "]:")
			port, r, ok3 := portPrefix(r)
			if !ok || !ok2 || !ok3 || ip == "" {
				return false
			}
			in.event, in.srcIP, in.srcPort = "dropped", ip, port
			if _, local, ok := strings.Cut(r, " on ["); ok {
				if _, reason, ok := strings.Cut(local, " "); ok {
					in.reason = reason
				}
			}
			return true
		}
	case 'i':
		if r, ok := strings.CutPrefix(m, "input_userauth_request: invalid user "); ok {
			// OpenSSH before 7.x, after "Invalid user x from ip": the
			// client asked to log in as x. Not an invalid_user event, so
			// that the name is not counted twice.
			in.event, in.invalidUser, in.user = "invalid_user_request", true, r
			return true
		}
	case 'P':
		if r, ok := strings.CutPrefix(m, "PAM "); ok {
			// "PAM 2 more authentication failures; logname= ... rhost=... user=..."
			return in.pamBody(r)
		}
		if r, ok := strings.CutPrefix(m, "PAM: Authentication failure for "); ok {
			// "error: PAM: Authentication failure for [illegal user ]x from host"
			in.event = "pam_auth_failure"
			return in.from(in.invalid(r), true)
		}
	case 'p':
		return in.pam(m)
	}
	return false
}

// other reads any other message that names the client: "... from <addr>
// [port <n>]" ("Postponed publickey for alice from 192.0.2.1 port 22
// ssh2"), as event "other", so that no line naming a remote address loses
// it.
func (in *sshdInfo) other(m string) bool {
	i := strings.LastIndex(m, " from ")
	if i < 0 {
		return false
	}
	r := m[i+len(" from "):]
	host, rest, _ := strings.Cut(r, " ")
	host = strings.TrimRight(host, ":,;.")
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if _, err := netip.ParseAddr(host); err != nil {
		return false
	}
	in.event, in.srcIP = "other", host
	if r, ok := strings.CutPrefix(rest, "port "); ok {
		if port, _, ok := portPrefix(r); ok {
			in.srcPort = port
		}
	}
	return true
}

// auth reads "<method> for [invalid user ]<user> from <ip> port <n> <proto>[: <type> <fp>...]".
func (in *sshdInfo) auth(s string) bool {
	method, r, ok := strings.Cut(s, " for ")
	if !ok || method == "" || strings.IndexByte(method, ' ') >= 0 {
		return false
	}
	in.method = method
	r = in.invalid(r)
	i := strings.LastIndex(r, " from ")
	if i < 0 {
		return false
	}
	in.user = r[:i]
	if r, ok = in.hostPort(r[i+len(" from "):]); !ok {
		return false
	}
	r = strings.TrimPrefix(r, " ")
	proto, key, hasKey := strings.Cut(r, ": ")
	in.protocol = proto
	if hasKey {
		typ, rest, _ := token(key)
		fp, _, _ := token(rest)
		in.keyType, in.keyFP = typ, fp
	}
	return true
}

// invalid removes an "invalid user " (or, before OpenSSH 3.9, "illegal
// user ") prefix and notes it.
func (in *sshdInfo) invalid(s string) string {
	for _, p := range [...]string{"invalid user ", "illegal user "} {
		if r, ok := strings.CutPrefix(s, p); ok {
			in.invalidUser = true
			return r
		}
	}
	return s
}

// from reads "<user> from <ip>[ port <n>]"; the port is optional only
// when portOptional.
func (in *sshdInfo) from(s string, portOptional bool) bool {
	i := strings.LastIndex(s, " from ")
	if i < 0 {
		return false
	}
	in.user = s[:i] // sshd writes an empty user name as is: "Invalid user  from"
	r := s[i+len(" from "):]
	if _, ok := in.hostPort(r); ok {
		return true
	}
	return portOptional && in.host(r)
}

// host takes all of s as the client address when it is one word.
func (in *sshdInfo) host(s string) bool {
	if s == "" || strings.IndexByte(s, ' ') >= 0 {
		return false
	}
	in.srcIP = s
	return true
}

// hostPort reads "<ip> port <n>" and returns what follows.
func (in *sshdInfo) hostPort(s string) (string, bool) {
	ip, r, ok := strings.Cut(s, " port ")
	if !ok || ip == "" || strings.IndexByte(ip, ' ') >= 0 {
		return "", false
	}
	port, rest, ok := portPrefix(r)
	if !ok {
		return "", false
	}
	in.srcIP, in.srcPort = ip, port
	return rest, true
}

// peer reads "[<qualifier> user <user> ]<ip> port <n>[:<code>][: <reason>]"
// as sshd writes it after "Connection closed by", "Disconnected from" and
// friends. A user is accepted only when withUser.
func (in *sshdInfo) peer(s string, withUser bool) bool {
	// A user name may hold anything, a reason too: search from the side
	// that cannot.
	i := strings.Index(s, " port ")
	if withUser {
		i = strings.LastIndex(s, " port ")
	}
	if i <= 0 {
		return false
	}
	port, rest, ok := portPrefix(s[i+len(" port "):])
	if !ok {
		return false
	}
	head := s[:i]
	sp := strings.LastIndexByte(head, ' ')
	in.srcIP, in.srcPort = head[sp+1:], port
	if sp >= 0 {
		if !withUser {
			return false
		}
		who := head[:sp]
		switch {
		case strings.HasPrefix(who, "authenticating user "):
			who = who[len("authenticating user "):]
		case strings.HasPrefix(who, "invalid user "):
			in.invalidUser, who = true, who[len("invalid user "):]
		case strings.HasPrefix(who, "user "):
			who = who[len("user "):]
		default:
			return false
		}
		in.user = who
	}
	if in.srcIP == "" {
		return false
	}
	// ":11: Bye Bye" after a Received disconnect; ": reason" otherwise.
	if r, ok := strings.CutPrefix(rest, ":"); ok {
		if code, reason, ok := strings.Cut(r, ": "); ok && code != "" && allDigits(code) {
			r = reason
		} else {
			r = strings.TrimPrefix(r, " ")
		}
		in.reason = r
	}
	return true
}

// peerNoPort reads "<ip>[: <code>: <reason>]" as OpenSSH before 7.x wrote
// it, without a port: "Received disconnect from 192.0.2.1: 11: Bye Bye",
// "Connection closed by 192.0.2.1".
func (in *sshdInfo) peerNoPort(s string) bool {
	// An IPv6 address holds colons but no ": ".
	ip, rest, _ := strings.Cut(s, ": ")
	if _, err := netip.ParseAddr(ip); err != nil {
		return false
	}
	in.srcIP = ip
	if code, reason, ok := strings.Cut(rest, ": "); ok && code != "" && allDigits(code) {
		rest = reason
	}
	in.reason = rest
	return true
}

// pam reads the lines of sshd's PAM stack: "pam_unix(sshd:auth): ...",
// "pam_sss(sshd:auth): ..." (any module; the service may be named ssh).
func (in *sshdInfo) pam(m string) bool {
	mod, r, ok := strings.Cut(m, "(")
	if !ok || !strings.HasPrefix(mod, "pam_") {
		return false
	}
	_, body, ok := strings.Cut(r, "): ")
	if !ok {
		return false
	}
	return in.pamBody(body)
}

// pamBody reads what PAM modules write about an sshd login, after their
// "pam_unix(sshd:auth): " or under RedHat's sshd(pam_unix) tag:
//
//	authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=<h> [user=<u>]
//	N more authentication failures; logname= ... rhost=<h> [user=<u>]
//	check pass; user unknown
//	session opened for user <u> by ...
//	session closed for user <u>
//
// pam_unix leaves user= out when the account does not exist: such a
// failure is marked invalid_user.
func (in *sshdInfo) pamBody(b string) bool {
	switch {
	case strings.HasPrefix(b, "session opened for user "):
		in.event = "session_opened"
		in.user = pamUser(b[len("session opened for user "):])
	case strings.HasPrefix(b, "session closed for user "):
		in.event = "session_closed"
		in.user = pamUser(b[len("session closed for user "):])
	case strings.HasPrefix(b, "check pass; user unknown"):
		in.event, in.invalidUser = "pam_unknown_user", true
	case strings.HasPrefix(b, "authentication failure;"):
		in.failure(b)
	default:
		// "2 more authentication failures;", "1 more authentication failure;"
		n, r, ok := strings.Cut(b, " more authentication failure")
		if !ok || n == "" || len(n) > 6 || !allDigits(n) {
			return false
		}
		in.failure(r)
		in.repeated, _ = strconv.Atoi(n)
	}
	return true
}

func (in *sshdInfo) failure(b string) {
	in.event = "pam_auth_failure"
	in.srcIP = pamValue(b, " rhost=")
	in.user = pamValue(b, " user=")
	in.invalidUser = in.user == "" && strings.Contains(b, " rhost=")
}

// pamUser reads "alice(uid=1000) by ..." or "alice by ..." or "alice".
func pamUser(s string) string {
	i := strings.IndexAny(s, "( ")
	if i < 0 {
		return s
	}
	return s[:i]
}

// pamValue returns the value of "key=value" in a PAM line (up to a space).
func pamValue(m, key string) string {
	i := strings.Index(m, key)
	if i < 0 {
		return ""
	}
	v, _, _ := token(m[i+len(key):])
	return v
}

// portPrefix reads the digits of a port at the start of s.
func portPrefix(s string) (port, rest string, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || i > 5 {
		return "", "", false
	}
	return s[:i], s[i:], true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
