package saas

import (
	"bytes"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// GitHub is GitHub.Audit: the audit log events of a GitHub organization or
// enterprise, as the REST API returns them (created_at in epoch
// milliseconds) or as audit log streaming writes them (@timestamp in epoch
// milliseconds, created_at in milliseconds or ISO 8601). One JSON object a
// record; the input layer splits the API's JSON arrays.
//
// https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/using-the-audit-log-api-for-your-enterprise
var GitHub = &parsers.LogType{
	Name:        "GitHub.Audit",
	Description: "GitHub organization and enterprise audit log events",
	Reference:   "https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise",
	NewParser:   newGitHubParser,
	Detect:      detectGitHub,
	// The parser reads these itself, exactly (see epochMillis); the
	// declarations say the same for the docs and the fallback.
	TimeFields: []parsers.TimeField{
		{Path: `["@timestamp"]`, Format: "unix_ms"},
		// "auto": milliseconds from the API, ISO 8601 from some exports.
		{Path: "created_at", Format: "auto"},
		{Path: "at_sign_timestamp", Format: "auto"}, // @timestamp in Panther's exports
	},
	Indicators: []parsers.Indicator{
		{Path: "actor", Kind: "username"},
		{Path: "user", Kind: "username"},
		{Path: "actor_ip", Kind: "ip"},
		{Path: "external_identity_username", Kind: "username"},
		{Path: "external_identity_nameid", Kind: "email"},
		{Path: "config.url", Kind: "url"},
		{Path: "request_id", Kind: "trace_id"},
	},
	Schema: []parsers.Column{
		{Name: "@timestamp", Type: "timestamp", Description: "when the event happened (epoch milliseconds)"},
		{Name: "_document_id", Type: "string", Description: "unique id of the event"},
		{Name: "action", Type: "string", Description: "what happened: category.operation (repo.create, org.add_member)"},
		{Name: "actor", Type: "string", Description: "login of the user who acted"},
		{Name: "actor_id", Type: "bigint", Description: "id of the actor"},
		{Name: "actor_ip", Type: "string", Description: "IP address of the actor (when IP disclosure is on)"},
		{Name: "actor_is_bot", Type: "boolean", Description: "whether the actor is a bot"},
		{Name: "actor_location", Type: "struct<country_code:string>", Description: "where the actor was"},
		{Name: "business", Type: "string", Description: "enterprise slug"},
		{Name: "business_id", Type: "bigint", Description: "enterprise id"},
		{Name: "created_at", Type: "timestamp", Description: "when the event happened (epoch milliseconds or ISO 8601)"},
		{Name: "external_identity_nameid", Type: "string", Description: "SAML NameID or SCIM id of the actor"},
		{Name: "external_identity_username", Type: "string", Description: "username at the identity provider"},
		{Name: "hashed_token", Type: "string", Description: "hash of the token used"},
		{Name: "operation_type", Type: "string", Description: "create, access, modify, remove, authentication, transfer or restore"},
		{Name: "org", Type: "string", Description: "organization login"},
		{Name: "org_id", Type: "bigint", Description: "organization id"},
		{Name: "programmatic_access_type", Type: "string", Description: "how a program acted: OAuth app, GitHub App, token, ..."},
		{Name: "repo", Type: "string", Description: "owner/name of the repository"},
		{Name: "repo_id", Type: "bigint", Description: "repository id"},
		{Name: "repository", Type: "string", Description: "owner/name of the repository (newer events)"},
		{Name: "repository_public", Type: "boolean", Description: "whether the repository is public"},
		{Name: "public_repo", Type: "boolean", Description: "whether the repository is public (older events)"},
		{Name: "team", Type: "string", Description: "organization/team"},
		{Name: "token_id", Type: "bigint", Description: "id of the token used"},
		{Name: "token_scopes", Type: "string", Description: "scopes of the token used"},
		{Name: "user", Type: "string", Description: "login of the user acted upon"},
		{Name: "user_id", Type: "bigint", Description: "id of the user acted upon"},
		{Name: "user_agent", Type: "string", Description: "user agent of the client"},
		{Name: "request_id", Type: "string", Description: "id of the request"},
		{Name: "transport_protocol_name", Type: "string", Description: "http or ssh (git events)"},
		{Name: "visibility", Type: "string", Description: "visibility of the repository"},
		{Name: "permission", Type: "string", Description: "permission granted or changed"},
		{Name: "data", Type: "json", Description: "event-specific details"},
		{Name: "config", Type: "json", Description: "webhook configuration (hook.* events)"},
		// Fields of some actions only.
		{Name: "name", Type: "string", Description: "name of the object acted upon: a protected branch, a setting"},
		{Name: "title", Type: "string", Description: "title of the key or object acted upon (deploy keys)"},
		{Name: "number", Type: "bigint", Description: "number of the alert, issue or pull request acted upon"},
		{Name: "old_permission", Type: "string", Description: "permission before the change (org.update_member)"},
		{Name: "previous_visibility", Type: "string", Description: "visibility before the change (repo.access)"},
		{Name: "transport_protocol", Type: "bigint", Description: "transport of a git event, as a number (see transport_protocol_name)"},
		{Name: "read_only", Type: "boolean", Description: "whether a deploy key is read-only"},
		{Name: "fingerprint", Type: "string", Description: "fingerprint of the key acted upon"},
		{Name: "admin_enforced", Type: "boolean", Description: "whether a branch protection applies to admins"},
		{Name: "ruleset_id", Type: "bigint", Description: "id of the repository ruleset acted upon"},
		{Name: "ruleset_name", Type: "string", Description: "name of the repository ruleset"},
		{Name: "ruleset_enforcement", Type: "string", Description: "enforcement of the ruleset: enabled, evaluate, disabled"},
		{Name: "ruleset_source_type", Type: "string", Description: "what owns the ruleset: Repository or Organization"},
		{Name: "audit_log_stream_enabled", Type: "boolean", Description: "whether audit log streaming is on (audit_log_streaming.*)"},
		{Name: "audit_log_stream_sink", Type: "string", Description: "where audit log streaming sends events"},
	},
	Sample: `{"@timestamp":1709294400123,"_document_id":"AbCdEf0123456789xyzXYZ","action":"repo.create","actor":"alice","actor_id":1001,"actor_ip":"198.51.100.7","actor_location":{"country_code":"US"},"business":"example-corp","created_at":1709294400123,"operation_type":"create","org":"example-org","org_id":2001,"repo":"example-org/new-service","repo_id":3001,"user_agent":"Mozilla/5.0","visibility":"private"}`,
}

// detectGitHub accepts an event with a dotted action ("repo.create"; webhook
// payloads have "created", "opened"), a time field, and one of the fields
// that name the actor or the organization.
func detectGitHub(e *event.Event) bool {
	f := e.Fields
	action := f.GetStringBytes("action")
	if bytes.IndexByte(action, '.') <= 0 {
		return false
	}
	if f.Get("@timestamp") == nil && f.Get("created_at") == nil {
		return false
	}
	return f.GetStringBytes("actor") != nil || f.Get("actor_id") != nil ||
		f.Get("_document_id") != nil || f.Get("org") != nil || f.Get("business") != nil
}

// githubParser is the JSON parser plus an exact reading of the event time.
type githubParser struct{}

func newGitHubParser() parsers.Parser { return githubParser{} }

func (githubParser) Parse(rec []byte, e *event.Event) (bool, error) {
	if err := e.ParseJSON(rec); err != nil {
		return false, err
	}
	e.Time = githubTime(e.Fields)
	return true, nil
}

func githubTime(f *fastjson.Value) time.Time {
	if v := f.Get("@timestamp"); v != nil {
		if t, ok := epochMillis(v); ok {
			return t
		}
	}
	for _, k := range [...]string{"created_at", "at_sign_timestamp"} {
		if v := f.Get(k); v != nil {
			if t, ok := autoTime(v); ok {
				return t
			}
		}
	}
	return time.Time{}
}
