package saas

import (
	"github.com/valyala/fastjson"

	"panther/parsers"
	"panther/parsers/event"
)

// Okta is Okta.SystemLog: the LogEvent objects of Okta's System Log API
// (/api/v1/logs, or an event hook / log stream), one JSON object a record.
//
// https://developer.okta.com/docs/reference/api/system-log/#logevent-object
var Okta = &parsers.LogType{
	Name:        "Okta.SystemLog",
	Description: "Okta System Log events: sign-ins, MFA, admin and lifecycle changes of an Okta org",
	Reference:   "https://developer.okta.com/docs/reference/api/system-log/#logevent-object",
	NewParser:   newOktaParser,
	Detect:      parsers.HasAll("uuid", "published", "eventType", "actor.id", "severity"),
	TimeFields: []parsers.TimeField{
		{Path: "published", Format: "rfc3339"},
	},
	Indicators: []parsers.Indicator{
		{Path: "client.ipAddress", Kind: "ip"},
		{Path: "request.ipChain[*].ip", Kind: "ip"},
		{Path: "actor.alternateId", Kind: "email"},
		{Path: "target[*].alternateId", Kind: "email"},
		// The hosts of the URLs a request touched; Okta mostly writes paths
		// here ("/api/v1/authn"), which give nothing, as they should.
		{Path: "debugContext.debugData.requestUri", Kind: "url"},
		{Path: "debugContext.debugData.url", Kind: "url"},
		{Path: "debugContext.debugData.redirectUri", Kind: "url"},
		{Path: "debugContext.debugData.origin", Kind: "url"},
		{Path: "debugContext.debugData.suspiciousActivityEventIp", Kind: "ip"},
		{Path: "securityContext.domain", Kind: "domain"},
		{Path: "transaction.id", Kind: "trace_id"},
		{Path: "authenticationContext.externalSessionId", Kind: "trace_id"},
	},
	Schema: oktaSchema,

	Sample: `{"uuid":"5b6b1a4e-0000-11ef-9000-000000000001","published":"2024-03-01T12:00:00.123Z","eventType":"user.session.start","version":"0","severity":"INFO","legacyEventType":"core.user_auth.login_success","displayMessage":"User login to Okta","actor":{"id":"00u1example","type":"User","alternateId":"alice@example.com","displayName":"Alice Example"},"client":{"userAgent":{"rawUserAgent":"Mozilla/5.0","os":"Mac OS X","browser":"CHROME"},"zone":"null","device":"Computer","ipAddress":"198.51.100.7"},"outcome":{"result":"SUCCESS"},"target":[],"transaction":{"type":"WEB","id":"YEXAMPLEtx1"},"request":{"ipChain":[{"ip":"198.51.100.7","version":"V4"}]}}`,
}

var oktaSchema = []parsers.Column{
	{Name: "uuid", Type: "string", Description: "unique identifier of the event"},
	{Name: "published", Type: "timestamp", Description: "when the event was published"},
	{Name: "eventType", Type: "string", Description: "type of the event (user.session.start, ...)"},
	{Name: "version", Type: "string", Description: "versioning indicator of the event"},
	{Name: "severity", Type: "string", Description: "DEBUG, INFO, WARN or ERROR"},
	{Name: "legacyEventType", Type: "string", Description: "the event type of the deprecated Events API"},
	{Name: "displayMessage", Type: "string", Description: "the event in words"},
	{Name: "actor", Type: "struct<id:string,type:string,alternateId:string,displayName:string,detailEntry:json>", Description: "who performed the action"},
	{Name: "client", Type: "struct<userAgent:struct<rawUserAgent:string,os:string,browser:string>,zone:string,device:string,id:string,ipAddress:string,geographicalContext:struct<city:string,state:string,country:string,postalCode:string,geolocation:struct<lat:double,lon:double>>>", Description: "the client that made the request"},
	{Name: "device", Type: "json", Description: "the device that made the request (Okta Verify, ...)"},
	{Name: "authenticationContext", Type: "struct<authenticationProvider:string,credentialProvider:string,credentialType:string,issuer:struct<id:string,type:string>,externalSessionId:string,interface:string,authenticationStep:bigint,rootSessionId:string>", Description: "how the actor authenticated"},
	{Name: "outcome", Type: "struct<result:string,reason:string>", Description: "SUCCESS, FAILURE, SKIPPED, ALLOW, DENY, CHALLENGE or UNKNOWN, and why"},
	{Name: "target", Type: "array<struct<id:string,type:string,alternateId:string,displayName:string,detailEntry:json>>", Description: "the entities the action acted on"},
	{Name: "transaction", Type: "struct<type:string,id:string,detail:json>", Description: "the request or job the event belongs to"},
	{Name: "debugContext", Type: "struct<debugData:json>", Description: "free-form details for troubleshooting"},
	{Name: "securityContext", Type: "struct<asNumber:bigint,asOrg:string,isp:string,domain:string,isProxy:boolean>", Description: "network facts about the client IP"},
	{Name: "request", Type: "struct<ipChain:array<struct<ip:string,geographicalContext:json,version:string,source:string>>>", Description: "the IP addresses the request went through"},
}

var oktaKeys = newKeyCase(oktaSchema)

// newOktaParser restores folded keys, and adds the one indicator rule a
// declaration cannot say: an alternateId is a username only when its entity
// is a User (apps and system principals have client ids and
// "system@okta.com" there).
func newOktaParser() parsers.Parser { return jsonParser{keys: oktaKeys, after: addOktaUsers} }

func addOktaUsers(e *event.Event) {
	addOktaUser(e, e.Fields.Get("actor"))
	for _, t := range e.Fields.GetArray("target") {
		addOktaUser(e, t)
	}
}

func addOktaUser(e *event.Event, entity *fastjson.Value) {
	if entity == nil || entity.Type() != fastjson.TypeObject {
		return
	}
	if string(entity.GetStringBytes("type")) != "User" {
		return
	}
	e.Add(event.Username, string(entity.GetStringBytes("alternateId")))
}
