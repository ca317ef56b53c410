// Package saas holds the log types of hosted services whose audit logs are
// pulled from an API or streamed as JSON: Okta's System Log, GitHub's
// organization and enterprise audit log, and Google Cloud's Cloud Audit
// Logs.
//
// They share one package because they share everything but their
// declarations: each is one JSON object a record, parsed by fastjson
// (parsers.JSONParser), with no per-source state. One file per log type
// keeps them apart; a vendor that grows more types (GitHub webhooks, GCP
// load balancer logs) can move to a package of its own without changing
// any caller but parsers/logtypes.
//
// Events keep the source's keys exactly as written. Exports of Panther's
// own data lake write some keys differently (GitHub's "@timestamp" as
// "at_sign_timestamp", GCP's "callerIp" as "callerIP"): the time and
// indicator declarations read both spellings, so such re-ingested data
// keeps its event time and indicators.
package saas
