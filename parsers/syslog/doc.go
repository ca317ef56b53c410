// Package syslog holds the Syslog family: Syslog.RFC5424 and Syslog.RFC3164,
// as sent on the wire (with a `<PRI>`) and as written to files by rsyslog
// and syslog-ng (without one: "Mar  5 14:02:01 host sshd[123]: msg").
//
// One parser serves the family and tells the two apart by the header: a
// version number after the PRI ("<34>1 2024-...") is RFC 5424, anything else
// RFC 3164. Naming either type therefore parses both kinds of line, each
// under its own type.
//
// # Fields
//
//	priority, facility, severity  numbers, only when the line has a PRI
//	version                       RFC 5424 only (always 1 today)
//	timestamp                     RFC 3339 (see Time below)
//	hostname, appname, procid     the RFC 3164 TAG "sshd[123]:" gives appname
//	                              "sshd" and procid "123"
//	subsystem                     RFC 3164 only: what the TAG adds to the
//	                              program (see TAG below)
//	msgid                         RFC 5424 only
//	structured_data               RFC 5424 only: {sd-id: {param: value}};
//	                              a repeated param (§6.3.3 allows it, e.g.
//	                              origin's ip) becomes an array of its values
//	message                       the MSG, UTF-8 BOM removed
//	sshd, sudo                    what detections need from the messages of
//	                              OpenSSH and sudo (sections below)
//
// RFC 5424's NILVALUE "-" leaves a field out. Escapes in SD values (\" \\ \])
// are undone; everything else is kept as written. An SD-ID given twice
// (which §6.3.2 forbids) has its params merged. A message with more than 256
// SD elements and params together is an error: adding a key to an event
// object costs a look at every key already there, and the bound keeps a
// hostile line from costing hours.
//
// # TAG
//
// Besides "app[pid]:", "app:" and "app[pid] " the RFC 3164 TAG is read as
// Linux and macOS write it:
//
//	Microsoft Word[14463]:        a program name with spaces (only before a [pid])
//	sshd(pam_unix)[2291]:         RedHat-era PAM lines: appname sshd, subsystem pam_unix
//	launchd[1] (com.apple.xpc.launchd.domain.system):
//	                              macOS: subsystem com.apple.xpc.launchd.domain.system
//	syslogd 1.4.1:                a version: appname syslogd, subsystem 1.4.1
//
// Other words before a colon ("Out of memory: Kill process ...") are the
// message.
//
// # sshd
//
// The sshd object holds what detections need from OpenSSH's messages (appname
// sshd, or sshd-session and sshd-auth since OpenSSH 9.8/10.0). It is set
// only for the messages below; other sshd messages keep just `message`.
//
//	event            what happened, one of (across OpenSSH versions, with and
//	                 without " port N"; "error: ", "fatal: " and " [preauth]"
//	                 are read off first):
//	  accepted           "Accepted <method> for <user> from <ip> port <n> ssh2[: <key>]"
//	  failed             "Failed <method> for [invalid user |illegal user ]<user> from <ip> port <n> ssh2"
//	  invalid_user       "Invalid user <user> from <ip> [port <n>]", "Illegal user <user> from <ip>"
//	  invalid_user_request "input_userauth_request: invalid user <user>" (OpenSSH before
//	                     7: it follows an invalid_user line, so it is not one)
//	  not_allowed        "User <user> from <ip> not allowed because <reason>"
//	  max_auth_attempts  "maximum authentication attempts exceeded for ...",
//	                     "Disconnecting ... user <user> <ip> port <n>: Too many authentication failures",
//	                     "Disconnecting: Too many authentication failures [for <user>]"
//	  pam_auth_failure   "pam_<module>(sshd:auth): authentication failure; ... rhost=<h> [user=<user>]",
//	                     "PAM <n> more authentication failures; ... rhost=<h> user=<user>" (repeated n),
//	                     "PAM: Authentication failure for [illegal user ]<user> from <h>"
//	  pam_unknown_user   "pam_unix(sshd:auth): check pass; user unknown"
//	  session_opened     "pam_unix(sshd:session): session opened for user <user>..."
//	  session_closed     "pam_unix(sshd:session): session closed for user <user>"
//	  connection         "Connection from <ip> port <n> on <ip> port <n>"
//	  connection_closed  "Connection closed by [authenticating user|invalid user|user <user>] <ip> [port <n>]"
//	  connection_reset   "Connection reset by [... user <user>] <ip> [port <n>]"
//	  disconnected       "Disconnected from [... user <user>] <ip> port <n>",
//	                     "Received disconnect from <ip> port <n>:<code>: <reason>",
//	                     "Received disconnect from <ip>: <code>: <reason>"
//	  no_identification  "Did not receive identification string from <ip>"
//	  bad_identification "Bad protocol version identification '<x>' from <ip> port <n>",
//	                     "banner exchange: Connection from <ip> port <n>: invalid format"
//	  negotiation_failed "Unable to negotiate with <ip> port <n>: <reason>"
//	  auth_timeout       "Timeout before authentication for <ip> port <n>"
//	  reverse_mapping_failed "reverse mapping checking getaddrinfo for <host> [<ip>] failed ...",
//	                     "Address <ip> maps to <host>, but this does not map back ...",
//	                     "Nasty PTR record "<host>" is set up for <ip>, ignoring"
//	  dropped            "drop connection #<n> from [<ip>]:<port> on [...]:<port> <reason>"
//	                     (MaxStartups, and PerSourcePenalties since 9.8)
//	  other              any other message naming the client: "... from <ip> [port <n>]"
//	The PAM lines are read the same under RedHat's sshd(pam_unix)[pid] tag,
//	where they lack the "pam_unix(sshd:auth): " in front.
//	user             the account named (for invalid users, what the client sent)
//	invalid_user     true when sshd says the user does not exist, or PAM's
//	                 authentication failure has no user= (pam_unix leaves it
//	                 out for accounts that do not exist)
//	src_ip           the client address (a name when sshd's UseDNS is on, or
//	                 PAM's rhost is one)
//	src_port         the client port (number)
//	src_host         the client's name, from reverse_mapping_failed lines
//	method           password, publickey, keyboard-interactive/pam, none, ...
//	protocol         ssh2
//	key_type         of an accepted key: RSA, ED25519, ECDSA, RSA-CERT, ...
//	key_fingerprint  SHA256:...
//	reason           the reason sshd gives (disconnects, not_allowed, ...)
//	preauth          true when the message ends in "[preauth]"
//	repeated         N when rsyslog folded N identical messages into one:
//	                 "message repeated N times: [ Failed password for ...]"
//	                 (the fields are those of the message inside; count
//	                 failures with it), or PAM's "N more authentication
//	                 failures"
//
// Indicators: src_ip and src_host (ip or domain) and user (username).
//
// # sudo
//
// The sudo object reads the command lines sudo logs (appname sudo):
//
//	alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id
//	alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/sh
//
//	user          who ran sudo
//	result        "allowed", or "denied" when sudo gives a reason before TTY=
//	              (user NOT in sudoers, command not allowed, N incorrect
//	              password attempts, a password is required, ...): the
//	              command did not run
//	reason        that reason, as sudo wrote it
//	tty, pwd      TTY= and PWD=
//	run_as        USER=, the account the command runs as
//	run_as_group  GROUP=, when given
//	command       COMMAND=, the command line (everything to the end, it may
//	              hold " ; ")
//
// Other keys (ENV=, TSID=, ...) stay in the message only. sudo's PAM lines
// (pam_unix(sudo:session) ...) get no sudo object.
//
// Indicators: user and run_as (username).
//
// # Time
//
// An RFC 5424 timestamp is kept as written (it is RFC 3339). An RFC 3164
// timestamp ("Mar  5 14:02:01", day space- or zero-padded, optional
// fraction) has neither year nor zone: it is read as UTC, and its year is the
// one that puts it in the twelve months ending 31 days after the reference
// time — so "Dec 31 23:59:59" read on 2 January belongs to the year before,
// and a clock a little ahead of the reader is still this year. The reference
// is the event's parse time when the caller set it before Parse, else the
// time of Parse. An archive older than about eleven months needs its year
// said: SetYear (parsers.YearSetter; --year of replay and parse) places the
// source's first year-less timestamp in that year, and each later one in
// the same year or, once the months go back by half a year or more
// (December, then January), in the next.
// The ISO 8601 timestamps that rsyslog writes in the RFC 3164 layout
// (RSYSLOG_FileFormat: "2024-03-05T14:02:01.123456+01:00 host app: msg") are
// read as RFC 3339 and kept as written.
//
// # Acceptance
//
// A line with a PRI is syslog even when the rest is not an RFC 3164 header
// (RFC 3164 §4.3.3: the whole rest is then the message). A line without a
// PRI must start with a timestamp, or with "1 " and a timestamp or "-" (RFC
// 5424 without its PRI). A bad PRI ("<999>", "<abc>") is an error for that
// line. The family has a low Priority: an ISO timestamp followed by
// a word is a loose test, so the classifier tries the stricter formats first.
//
// # Why hand-written
//
// STYLE.md prefers a library for solved problems, and
// github.com/leodido/go-syslog/v4 (v4.5.0, ragel-generated) is the
// well-kept Go one. It was measured against this parser on the fixture
// lines it accepts (7 RFC 5424 lines with structured data, 749 bytes; 20
// RFC 3164 lines, each given a PRI, 2,022 bytes), one core, with its output
// copied into the event as a parser built on it must do. The machine was
// shared and overloaded (load 8-14 on 2 cores), so wall time meant little:
// these are MB/s of CPU time (user+sys of -benchtime 100000x -cpu 1 runs):
//
//	                                  RFC 5424   RFC 3164
//	go-syslog, parse alone            141 MB/s   129 MB/s   60 / 125 allocs
//	go-syslog, + event + normalise     52 MB/s    54 MB/s   79 / 180 allocs
//	this parser, parse into the event 202 MB/s   143 MB/s    1 / 0 allocs
//	this parser, + normalise          110 MB/s    83 MB/s   25 / 86 allocs
//
// (The one allocation is the RFC 5424 line with a control byte, cleaned as
// newString in text.go explains; those of the last row are the registry's
// Normalise: row id and indicator extraction.) Beyond speed, the library does not fit: it
// cannot read the PRI-less lines that rsyslog and syslog-ng files hold (the
// common case of `panther replay`; each would have to be copied behind a
// fake PRI); it rejects the ISO timestamps with fractions that rsyslog
// writes in the RFC 3164 layout, and SD values with a backslash before
// another character (which RFC 5424 §6.3.3 says to keep as is); it returns
// structured data as a map (unordered, repeated params lost); and for a
// line with a 0x1b byte in its message its RFC 3164 parser returned a nil
// message with a nil error. The comparison is
// testdata/compare/gosyslog_test.go.txt, kept as text so that the module
// does not depend on the library; its head says how to run it.
package syslog
