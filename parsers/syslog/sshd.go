package syslog

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// sshdType is the schema of the sshd object; its fields are in the package
// doc.
const sshdType = "struct<event:string,user:string,invalid_user:boolean,src_ip:string,src_port:bigint," +
	"method:string,protocol:string,key_type:string,key_fingerprint:string,reason:string,preauth:boolean,repeated:bigint>"

type sshdInfo struct {
	event, user, srcIP, srcPort, method, protocol, keyType, keyFP, reason string
	invalidUser, preauth                                                  bool
}

// sshdFields returns the sshd object of msg, or nil when msg is not one of
// the messages it knows.
func sshdFields(a *fastjson.Arena, msg string) *fastjson.Value {
	var in sshdInfo
	repeated := 0
	if n, inner, ok := repeatedMessage(msg); ok {
		repeated, msg = n, inner
	}
	if !in.parse(msg) {
		return nil
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
	if r, ok := strings.CutSuffix(m, " [preauth]"); ok {
		in.preauth, m = true, r
	}
	if r, ok := strings.CutPrefix(m, "error: "); ok {
		m = r
	}
	if m == "" {
		return false
	}
	switch m[0] {
	case 'A':
		if r, ok := strings.CutPrefix(m, "Accepted "); ok {
			in.event = "accepted"
			return in.auth(r)
		}
	case 'F':
		if r, ok := strings.CutPrefix(m, "Failed "); ok {
			in.event = "failed"
			return in.auth(r)
		}
	case 'I':
		if r, ok := strings.CutPrefix(m, "Invalid user "); ok {
			in.event, in.invalidUser = "invalid_user", true
			return in.from(r, true)
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
			return in.peer(r, false)
		}
	case 'C':
		if r, ok := strings.CutPrefix(m, "Connection closed by "); ok {
			in.event = "connection_closed"
			return in.peer(r, true)
		}
		if r, ok := strings.CutPrefix(m, "Connection from "); ok {
			in.event = "connection"
			_, ok := in.hostPort(r)
			return ok
		}
	case 'p':
		return in.pam(m)
	}
	return false
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

// invalid removes an "invalid user " prefix and notes it.
func (in *sshdInfo) invalid(s string) string {
	if r, ok := strings.CutPrefix(s, "invalid user "); ok {
		in.invalidUser = true
		return r
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

// pam reads the pam_unix lines of sshd's PAM stack.
func (in *sshdInfo) pam(m string) bool {
	switch {
	case strings.HasPrefix(m, "pam_unix(sshd:session): session opened for user "):
		in.event = "session_opened"
		in.user = pamUser(m[len("pam_unix(sshd:session): session opened for user "):])
	case strings.HasPrefix(m, "pam_unix(sshd:session): session closed for user "):
		in.event = "session_closed"
		in.user = pamUser(m[len("pam_unix(sshd:session): session closed for user "):])
	case strings.HasPrefix(m, "pam_unix(sshd:auth): authentication failure;"):
		in.event = "pam_auth_failure"
		in.srcIP = pamValue(m, " rhost=")
		in.user = pamValue(m, " user=")
	default:
		return false
	}
	return true
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
