package syslog

import (
	"strings"

	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

// sudoType is the schema of the sudo object; its fields are in the package
// doc.
const sudoType = "struct<user:string,result:string,reason:string,tty:string,pwd:string," +
	"run_as:string,run_as_group:string,command:string>"

// sudoFields returns the sudo object of msg, or nil when msg is not a
// command line.
func sudoFields(a *fastjson.Arena, msg string) *fastjson.Value {
	user, rest, ok := strings.Cut(strings.TrimLeft(msg, " "), " : ")
	if !ok || user == "" || strings.IndexByte(user, ' ') >= 0 {
		return nil
	}
	var tty, pwd, runAs, group, command, reason string
	for rest != "" {
		if c, ok := strings.CutPrefix(rest, "COMMAND="); ok {
			command = c
			break
		}
		part, r, _ := strings.Cut(rest, " ; ")
		rest = r
		switch {
		case strings.HasPrefix(part, "TTY="):
			tty = part[len("TTY="):]
		case strings.HasPrefix(part, "PWD="):
			pwd = part[len("PWD="):]
		case strings.HasPrefix(part, "USER="):
			runAs = part[len("USER="):]
		case strings.HasPrefix(part, "GROUP="):
			group = part[len("GROUP="):]
		case isKey(part):
		case reason == "" && tty == "":
			reason = part
		}
	}
	if command == "" {
		return nil
	}
	obj := a.NewObject()
	obj.Set("user", event.NewString(a, user))
	if reason == "" {
		obj.Set("result", a.NewString("allowed"))
	} else {
		obj.Set("result", a.NewString("denied"))
		obj.Set("reason", event.NewString(a, reason))
	}
	setString(a, obj, "tty", tty)
	setString(a, obj, "pwd", pwd)
	setString(a, obj, "run_as", runAs)
	setString(a, obj, "run_as_group", group)
	obj.Set("command", event.NewString(a, command))
	return obj
}

// isKey tells sudo's "KEY=value" parts (upper-case key) from a reason.
func isKey(part string) bool {
	k, _, ok := strings.Cut(part, "=")
	if !ok || k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if (k[i] < 'A' || k[i] > 'Z') && k[i] != '_' {
			return false
		}
	}
	return true
}
